// App drift: one replica's live model routing (its admin API's answers) against the declared
// routing. Pure. The comparison follows the sync script's: an instance is identified by
// (name, baseUrl); load-balance types compare without case, `-` and `_`.
import { MODEL_SERVICE_TYPES } from "../../../render/model-routing";
import type { AppAnswer } from "./app-probe";
import type { ExpectedApp } from "./expected";
import { secretHash } from "./mask";
import type { DriftFinding } from "./types";

interface DeclaredInstance {
  name: string;
  baseUrl: string;
  path: string;
  weight: number;
  apiKeyRef: string | null;
}
interface DeclaredService {
  adapter: string;
  loadBalance: string;
  instances: DeclaredInstance[];
}

const norm = (v: unknown) =>
  String(v ?? "")
    .toLowerCase()
    .replace(/[-_ ]/g, "");

function liveAuthorization(instance: Record<string, unknown>): string | undefined {
  const headers = (instance.headers ?? {}) as Record<string, unknown>;
  const value = headers.Authorization ?? headers.authorization;
  return typeof value === "string" ? value : undefined;
}

/** Every difference of one replica's routing from the declaration. */
export function appDrift(replica: string, expected: ExpectedApp, answer: AppAnswer): DriftFinding[] {
  const declared = (JSON.parse(expected.routing) as { services: Record<string, DeclaredService> }).services;
  const out: DriftFinding[] = [];
  for (const type of MODEL_SERVICE_TYPES) {
    const subject = `${replica}/${type}`;
    const want = declared[type];
    const service = answer.services[type] ?? null;
    if (want && !service) {
      out.push({
        section: "app",
        subject,
        key: "service",
        expected: `${want.adapter}, ${want.loadBalance}`,
        actual: "(missing)",
      });
    } else if (want && service) {
      if (norm(service.adapter) !== norm(want.adapter)) {
        out.push({
          section: "app",
          subject,
          key: "adapter",
          expected: want.adapter,
          actual: String(service.adapter ?? "(absent)"),
        });
      }
      const lb = (service.loadBalance as Record<string, unknown> | undefined)?.type;
      if (norm(lb) !== norm(want.loadBalance)) {
        out.push({
          section: "app",
          subject,
          key: "loadBalance",
          expected: want.loadBalance,
          actual: String(lb ?? "(absent)"),
        });
      }
    }
    const live = answer.instances[type] ?? [];
    const wanted = want?.instances ?? [];
    const id = (i: { name?: unknown; baseUrl?: unknown }) => `${String(i.name)} @ ${String(i.baseUrl)}`;
    for (const w of wanted) {
      const l = live.find((x) => id(x) === id(w));
      const key = `instances[${id(w)}]`;
      if (!l) {
        out.push({
          section: "app",
          subject,
          key,
          expected: `path=${w.path} weight=${w.weight}`,
          actual: "(missing)",
          note: "instance removed by hand",
        });
        continue;
      }
      if ((l.path ?? "") !== w.path)
        out.push({
          section: "app",
          subject,
          key: `${key}.path`,
          expected: w.path,
          actual: String(l.path ?? "(absent)"),
        });
      if (Number(l.weight ?? 1) !== w.weight) {
        out.push({
          section: "app",
          subject,
          key: `${key}.weight`,
          expected: String(w.weight),
          actual: String(l.weight ?? "(absent)"),
        });
      }
      if (norm(l.status ?? "active") !== "active") {
        out.push({
          section: "app",
          subject,
          key: `${key}.status`,
          expected: "active",
          actual: String(l.status),
        });
      }
      const wantAuth = w.apiKeyRef ? `Bearer ${expected.providerKeys[w.apiKeyRef] ?? ""}` : undefined;
      const gotAuth = liveAuthorization(l);
      if (wantAuth !== gotAuth) {
        out.push({
          section: "app",
          subject,
          key: `${key}.headers.Authorization`,
          expected: wantAuth === undefined ? "(absent)" : secretHash(wantAuth),
          actual: gotAuth === undefined ? "(absent)" : secretHash(gotAuth),
        });
      }
    }
    const seen = new Set<string>();
    for (const l of live) {
      const key = id(l);
      const duplicate = seen.has(key);
      seen.add(key);
      if (!duplicate && wanted.some((w) => id(w) === key)) continue;
      out.push({
        section: "app",
        subject,
        key: `instances[${key}]`,
        expected: "(absent)",
        actual: `path=${String(l.path ?? "")} weight=${String(l.weight ?? "")}`,
        note: duplicate ? "duplicate instance" : "instance added by hand",
      });
    }
  }
  return out;
}
