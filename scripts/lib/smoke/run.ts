// Runs the smoke steps in order and reports each as it finishes; the first failure ends the run
// (later steps need what it would have found) and names the step.
import type { SmokeInputs } from "./inputs";
import { STEP_NAMES, STEPS, StepFailure, type SmokeContext, type StepName } from "./steps";

/** What the caller sets of the steps' context; the rest is read from the outputs or found by the steps. */
export type SmokeRunOptions = Omit<
  SmokeContext,
  "inputs" | "httpsPort" | "endpointAddresses" | "frontDoorAddresses" | "serviceKey"
> & {
  /** Defaults to the stack's HTTPS port. */
  httpsPort?: number;
};

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
    ...options,
    inputs,
    httpsPort: options.httpsPort ?? inputs.httpsPort,
    ca: options.ca ?? inputs.caCertificatePem,
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
