/**
 * After a deploy: checks what a client and an operator rely on, step by step (steps.ts): the public
 * name resolves to the front door, the TLS chain verifies against the stack's CA, `/health` answers
 * through each front-door address, `/v1/models` answers with the service key read from SSM, and a
 * test alert reaches Alertmanager. Stops at the first failure and exits 1 naming the step; exits 2
 * when it cannot start (arguments, outputs). Never prints the key.
 * Usage: npm run smoke -- <stack> [--outputs <file>] [--resolve host:addr] ... (see --help)
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { smokeInputsFrom } from "./lib/smoke/inputs";
import {
  parseSmokeArgs,
  SMOKE_USAGE,
  TUNNELLED_ALERTMANAGER_URL,
  type SmokeOptions,
} from "./lib/smoke/options";
import { runSmoke } from "./lib/smoke/run";

function readOutputs(options: SmokeOptions): Record<string, unknown> {
  const text = options.outputsFile
    ? readFileSync(options.outputsFile, "utf8")
    : execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", options.stack], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
      });
  return JSON.parse(text) as Record<string, unknown>;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(SMOKE_USAGE);
    return 0;
  }
  let options: SmokeOptions;
  let outputs: Record<string, unknown>;
  try {
    options = parseSmokeArgs(argv);
    outputs = readOutputs(options);
  } catch (err) {
    console.error(`smoke: ${err instanceof Error ? err.message : String(err)}\n${SMOKE_USAGE}`);
    return 2;
  }
  const inputs = smokeInputsFrom(options.stack, outputs);
  if ("problems" in inputs) {
    console.error(`smoke ${options.stack}: the stack outputs lack what the checks need:`);
    for (const p of inputs.problems) console.error(`  - ${p}`);
    return 2;
  }
  const result = await runSmoke(
    inputs,
    {
      resolve: options.resolve,
      httpsPort: options.httpsPort,
      ca: options.caFile ? readFileSync(options.caFile, "utf8") : undefined,
      alertmanagerUrl: options.alertmanagerUrl ?? TUNNELLED_ALERTMANAGER_URL,
      ssmEndpoint: options.ssmEndpoint,
      timeoutMs: options.timeoutMs,
    },
    (line) => console.log(line),
  );
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`smoke: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
