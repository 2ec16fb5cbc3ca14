// Client load for rollout tests and the benchmark: concurrent SSE streams plus a GET loop and a POST
// loop through the proxy, every request counted as answered, failed or (for streams) cut.
import { type TlsTrust, request, requestEvents } from "./client";
import type { EchoAnswer, SseChunk } from "./stub-backend";
import { sleep } from "./wait";

export interface LoadOptions {
  /** URL through the proxy for a path. */
  url: (path: string) => string;
  trust: TlsTrust;
  /** Streams kept open at all times (each worker starts the next when one ends). */
  streams: number;
  /** Chunks each stream must deliver before `[DONE]` (the backends' `sseChunks`). */
  chunksPerStream: number;
  /** Pause between two requests of the GET loop and of the POST loop. */
  pauseMs?: number;
}

/** What one load run saw. */
export interface LoadReport {
  requests: number;
  failedRequests: string[];
  streams: number;
  cutStreams: string[];
  /** Answers per backend, plain requests and streams together. */
  servedBy: Record<string, number>;
}

/** A running load; `stop()` lets every request in flight end, then reports. */
export interface RunningLoad {
  stop(): Promise<LoadReport>;
  /** Snapshot of answers per backend so far. */
  servedBy(): Record<string, number>;
}

const CHAT = "/v1/chat/completions";
const JSON_HEADERS = { "content-type": "application/json" };

/** Starts the load; it runs until `stop()`. */
export function startLoad(o: LoadOptions): RunningLoad {
  const report: LoadReport = { requests: 0, failedRequests: [], streams: 0, cutStreams: [], servedBy: {} };
  const served = (backend: string): void => {
    report.servedBy[backend] = (report.servedBy[backend] ?? 0) + 1;
  };
  let running = true;

  const streamWorker = async (): Promise<void> => {
    while (running) {
      report.streams++;
      try {
        const s = await requestEvents(o.url(CHAT), {
          method: "POST",
          tls: o.trust,
          headers: { ...JSON_HEADERS, accept: "text/event-stream" },
          body: JSON.stringify({ stream: true }),
          timeoutMs: 60_000,
        });
        const data = s.events.map((e) => e.data);
        if (s.status !== 200 || data.length !== o.chunksPerStream + 1 || data.at(-1) !== "[DONE]") {
          report.cutStreams.push(`status ${s.status}, ${data.length} events, last ${data.at(-1) ?? "none"}`);
        } else {
          served((JSON.parse(data[0] ?? "{}") as SseChunk).backend);
        }
      } catch (err) {
        report.cutStreams.push((err as Error).message);
      }
    }
  };

  const requestLoop = async (method: "GET" | "POST"): Promise<void> => {
    while (running) {
      report.requests++;
      try {
        const res =
          method === "GET"
            ? await request(o.url("/echo"), { tls: o.trust, timeoutMs: 15_000 })
            : await request(o.url(CHAT), {
                method: "POST",
                tls: o.trust,
                headers: JSON_HEADERS,
                body: JSON.stringify({ stream: false }),
                timeoutMs: 15_000,
              });
        if (res.status === 200) served((JSON.parse(res.body) as EchoAnswer).backend);
        else report.failedRequests.push(`${method} status ${res.status}: ${res.body.slice(0, 80)}`);
      } catch (err) {
        report.failedRequests.push(`${method} ${(err as Error).message}`);
      }
      await sleep(o.pauseMs ?? 50);
    }
  };

  const workers = [
    ...Array.from({ length: o.streams }, () => streamWorker()),
    requestLoop("GET"),
    requestLoop("POST"),
  ];
  return {
    servedBy: () => ({ ...report.servedBy }),
    async stop() {
      running = false;
      await Promise.all(workers);
      return report;
    },
  };
}
