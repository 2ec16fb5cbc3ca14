/**
 * `npm run smoke` against a miniature deployed stack on loopback (support/smoke-site.ts): passes when
 * every part works, and when one part is broken fails at that step, naming it, without crashing and
 * without printing the service key.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smokeInputsFrom, type SmokeInputs } from "../../scripts/lib/smoke/inputs";
import { runSmoke, type SmokeResult, type SmokeRunOptions } from "../../scripts/lib/smoke/run";
import { SMOKE_ALERT_NAME } from "../../scripts/lib/smoke/steps";
import { toolsAvailable } from "../support/tools";
import { TEST_SERVER_NAME } from "./support/lb-inputs";
import {
  SMOKE_ADDRESSES,
  SMOKE_HTTPS_PORT,
  setServiceKey,
  smokeOutputs,
  startSmokeSite,
  type SmokeSite,
} from "./support/smoke-site";
import { waitFor } from "./support/wait";

const ROOT = join(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const RESOLVE = `${TEST_SERVER_NAME}:${SMOKE_ADDRESSES.lbs[0]}`;

describe.skipIf(!toolsAvailable("haproxy", "prometheus-alertmanager", "moto_server", "aws", "openssl"))(
  "npm run smoke (loopback)",
  () => {
    let site: SmokeSite;
    beforeAll(async () => {
      site = await startSmokeSite();
    });
    afterAll(async () => {
      await site?.stop();
    });

    /**
     * The script itself, as an operator runs it, against an outputs file. Asynchronous: the stub
     * backends live in this process and must keep answering while the script runs.
     */
    function cli(outputs: Record<string, unknown>): Promise<{ status: number | null; out: string }> {
      const file = join(site.dir, "outputs.json");
      writeFileSync(file, JSON.stringify(outputs));
      const args = [
        join(ROOT, "scripts/smoke.ts"),
        "smoke",
        "--outputs",
        file,
        "--resolve",
        RESOLVE,
        "--https-port",
        String(SMOKE_HTTPS_PORT),
        "--alertmanager-url",
        site.alertmanagerUrl,
        "--ssm-endpoint",
        site.ssm.endpoint,
        "--timeout-ms",
        "15000",
      ];
      return new Promise((resolve) => {
        const child = spawn(TSX, args, { env: site.awsEnv, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
        child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.once("close", (status) => {
          clearTimeout(timer);
          resolve({ status, out });
        });
      });
    }

    /** The same steps in process (faster), for the broken-part cases. */
    function inProcess(outputs = site.outputs, patch: Partial<SmokeRunOptions> = {}): Promise<SmokeResult> {
      const inputs = smokeInputsFrom("smoke", outputs) as SmokeInputs;
      return runSmoke(inputs, {
        resolve: new Map([[TEST_SERVER_NAME, [SMOKE_ADDRESSES.lbs[0]]]]),
        httpsPort: SMOKE_HTTPS_PORT,
        alertmanagerUrl: site.alertmanagerUrl,
        ssmEndpoint: site.ssm.endpoint,
        awsEnv: site.awsEnv,
        timeoutMs: 15_000,
        ...patch,
      });
    }

    function failedAt(result: SmokeResult, step: string, why: RegExp) {
      expect(result.ok).toBe(false);
      expect(result.failedStep).toBe(step);
      const line = result.lines.find((l) => l.startsWith(`  FAIL ${step}`));
      expect(line, result.lines.join("\n")).toMatch(why);
      expect(result.lines.at(-1)).toBe(`smoke smoke: FAILED at step "${step}"`);
      expect(result.lines.join("\n")).not.toContain(site.serviceKey);
    }

    it("passes every step against the working site, and the test alert reaches the webhook", async () => {
      const { status, out } = await cli(site.outputs);
      expect(out).toMatch(
        /ok {3}resolve +api\.example\.test → 127\.0\.0\.181 \(dnsTarget A 127\.0\.0\.181, 127\.0\.0\.182\)/,
      );
      expect(out).toMatch(/ok {3}tls +chain verifies against the stack's CA/);
      expect(out).toMatch(/ok {3}health +.*127\.0\.0\.181 200, 127\.0\.0\.182 200/);
      expect(out).toMatch(
        /ok {3}models +\/v1\/models with the service key from \/jairouter\/smoke\/app\/api-key-service: 200, 1 model/,
      );
      expect(out).toMatch(
        /ok {3}alert +test alert JairouterSmokeTest \(smoke_run=[0-9a-f-]+\) accepted, active, routed to warning/,
      );
      expect(out).toContain("smoke smoke: all 5 steps passed");
      expect(status, out).toBe(0);
      expect(out).not.toContain(site.serviceKey);
      // both proxies answered their own /health; the model list came from a backend
      expect(site.stubs.reduce((n, s) => n + s.count("GET", "/v1/models"), 0)).toBeGreaterThanOrEqual(1);
      const run = /smoke_run=([0-9a-f-]+)/.exec(out)![1];
      const delivered = await waitFor(
        "the smoke alert at the webhook",
        () =>
          site.sink.received
            .flatMap((r) => r.payload.alerts)
            .find((a) => a.labels.alertname === SMOKE_ALERT_NAME && a.labels.smoke_run === run),
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(delivered.labels).toMatchObject({ severity: "warning", service: "smoke", stack: "smoke" });
      expect(delivered.annotations.summary).toContain("test alert, no action needed");
    });

    it("fails at resolve when the name does not lead to the DNS target", async () => {
      failedAt(
        await inProcess(site.outputs, { resolve: new Map([[TEST_SERVER_NAME, ["127.0.0.199"]]]) }),
        "resolve",
        /resolves to 127\.0\.0\.199, not to the front door \(127\.0\.0\.181, 127\.0\.0\.182\): point the record at A 127\.0\.0\.181, 127\.0\.0\.182/,
      );
    });

    it("follows a CNAME to the NLB: the name must resolve to the NLB's addresses, each checked", async () => {
      const nlb = "jr-smoke-nlb-0123abcd.elb.eu-west-1.amazonaws.com";
      const outputs = {
        ...site.outputs,
        dnsTarget: { recordType: "CNAME", values: [nlb], managedByStack: false },
      };
      const resolve = new Map([
        [nlb, [...SMOKE_ADDRESSES.lbs]],
        [TEST_SERVER_NAME, [...SMOKE_ADDRESSES.lbs]],
      ]);
      const direct = { readServiceKey: () => Promise.resolve(site.serviceKey) };
      const result = await inProcess(outputs, { resolve, ...direct });
      expect(result.lines.join("\n")).toContain(`(dnsTarget CNAME ${nlb})`);
      expect(result.lines.join("\n")).toMatch(/health +.*127\.0\.0\.181 200, 127\.0\.0\.182 200/);
      expect(result.ok, result.lines.join("\n")).toBe(true);
      const stray = new Map([
        [nlb, [SMOKE_ADDRESSES.lbs[0]]],
        [TEST_SERVER_NAME, [...SMOKE_ADDRESSES.lbs]],
      ]);
      failedAt(
        await inProcess(outputs, { resolve: stray, ...direct }),
        "resolve",
        /resolves to 127\.0\.0\.181, 127\.0\.0\.182, not to the front door \(127\.0\.0\.181\): point the record at CNAME/,
      );
    });

    it("fails at tls, exiting 1 and naming the step, when the chain does not verify against the CA output", async () => {
      const { status, out } = await cli({ ...site.outputs, caCertificatePem: site.otherCaPem });
      expect(status, out).toBe(1);
      expect(out).toMatch(
        /FAIL tls +the chain served at 127\.0\.0\.181 for api\.example\.test does not verify against the stack's CA/,
      );
      expect(out).toMatch(/-- {3}health +not run/);
      expect(out).toContain('smoke smoke: FAILED at step "tls"');
    });

    it("fails at health when one load balancer of the pair does not answer", async () => {
      const outputs = smokeOutputs(site.cert.pem, [SMOKE_ADDRESSES.lbs[0], SMOKE_ADDRESSES.dead]);
      failedAt(await inProcess(outputs), "health", /\/health via 127\.0\.0\.185: .*ECONNREFUSED/);
    });

    it("fails at models when the key in SSM is not the one the app accepts", async () => {
      await setServiceKey(site, "not-the-service-key-at-all-0000000000000");
      try {
        failedAt(
          await inProcess(),
          "models",
          /\/v1\/models with the service key \(\/jairouter\/smoke\/app\/api-key-service\) via 127\.0\.0\.181: HTTP 401/,
        );
      } finally {
        await setServiceKey(site, site.serviceKey);
      }
    });

    it("fails at models when no backend runs, and at alert when Alertmanager is stopped", async () => {
      // the SSM read is proven above; here the key comes straight from the site (saves CLI starts)
      const direct = { readServiceKey: () => Promise.resolve(site.serviceKey) };
      await site.alertmanager.stop();
      failedAt(
        await inProcess(site.outputs, direct),
        "alert",
        /Alertmanager at http:\/\/127\.0\.0\.184:29193 does not answer .*open the tunnel first: aws ssm start-session/,
      );
      await Promise.all(site.stubs.map((s) => s.stop()));
      failedAt(await inProcess(site.outputs, direct), "models", /via 127\.0\.0\.181: HTTP 50[23]/);
    });
  },
);
