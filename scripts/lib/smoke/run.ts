// Runs the smoke steps in order and reports each as it finishes; the first failure ends the run
// (later steps need what it would have found) and names the step.
import type { SmokeInputs } from "./inputs";
import { STEP_NAMES, STEPS, StepFailure, type SmokeContext, type StepName } from "./steps";

export interface SmokeRunOptions {
  resolve: Map<string, string[]>;
  httpsPort?: number;
  /** CA PEM; defaults to the stack's caCertificatePem output. */
  ca?: string;
  alertmanagerUrl: string;
  ssmEndpoint?: string;
  awsEnv?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Reads the service key; default: `aws ssm get-parameter --with-decryption` (a seam for tests). */
  readServiceKey?: (parameter: string) => Promise<string>;
}

export interface SmokeResult {
  ok: boolean;
  /** The first step that failed. */
  failedStep?: StepName;
  /** The report, one line per step run, then the verdict. */
  lines: string[];
}

/** Runs every step against `inputs`; `print` receives each report line as it is known. */
export async function runSmoke(
  inputs: SmokeInputs,
  options: SmokeRunOptions,
  print: (line: string) => void = () => undefined,
): Promise<SmokeResult> {
  const ctx: SmokeContext = {
    inputs,
    resolve: options.resolve,
    httpsPort: options.httpsPort ?? inputs.httpsPort,
    ca: options.ca ?? inputs.caCertificatePem,
    alertmanagerUrl: options.alertmanagerUrl,
    ssmEndpoint: options.ssmEndpoint,
    awsEnv: options.awsEnv,
    timeoutMs: options.timeoutMs,
    readServiceKey: options.readServiceKey,
    endpointAddresses: [],
    frontDoorAddresses: [],
  };
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  say(`smoke ${inputs.stack}: https://${inputs.domain}${ctx.httpsPort === 443 ? "" : `:${ctx.httpsPort}`}`);
  for (const [i, name] of STEP_NAMES.entries()) {
    try {
      say(`  ok   ${name.padEnd(8)}${await STEPS[name](ctx)}`);
    } catch (err) {
      // an unexpected error is still this step's failure, reported, not a crash
      const why = err instanceof StepFailure || err instanceof Error ? err.message : String(err);
      say(`  FAIL ${name.padEnd(8)}${why}`);
      for (const skipped of STEP_NAMES.slice(i + 1)) say(`  --   ${skipped.padEnd(8)}not run`);
      say(`smoke ${inputs.stack}: FAILED at step "${name}"`);
      return { ok: false, failedStep: name, lines };
    }
  }
  say(`smoke ${inputs.stack}: all ${STEP_NAMES.length} steps passed`);
  return { ok: true, lines };
}
