import type { LoadResult } from "./lib.js";
import { NOTES } from "./notes.js";

export type RoundTrips = {
  /** The SDK's HTTP requests from the activity's arrival to the bot's answer. */
  inTurn: number;
  /** The requests of the work the action leaves behind (card posted or updated, requester told). */
  followUps: number;
  pointReads: number;
  queries: number;
  crossPartitionQueries: number;
  calls: string[];
  followUpCalls: string[];
};

export type BenchResults = {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  durationS: number;
  startup: { echoMs: number; botMs: number; botInProcessStoreMs: number };
  turns: {
    echoBeforeRequest: LoadResult;
    request: LoadResult;
    echoBeforeApprove: LoadResult;
    approve: LoadResult;
    filed: number;
    approved: number;
  };
  roundTrips: Record<string, RoundTrips>;
  crossPartitionInTurns: number;
  crossPartitionDetail: string[];
  memory: { startMiB: number; after10kMiB: number; after20kMiB: number };
  people: {
    seeded: number;
    rounds: number;
    cases: { name: string; api: { p50: number; p95: number }; raw: { p50: number; p95: number } }[];
  };
  sinkStats: unknown;
};

export type Row = {
  id: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | null;
};

const r2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
/** Latencies under 1 ms are reported by autocannon as 0 or 1: a ratio over them is taken over at least 1 ms. */
const ratio = (a: number, b: number) => a / Math.max(b, 1);
/** Memory is flat when the second 10,000 turns grow RSS by at most this share (GC timing is noise). */
export const MEMORY_NOISE = 0.1;

/** Every reported figure, its baseline, and the target it is held to (null: reported only). */
export const rows = (r: BenchResults): Row[] => {
  const t = r.turns;
  const rt = r.roundTrips;
  const out: Row[] = [
    {
      id: "request-throughput",
      measure: "1. request-access turn: throughput",
      ours: `${t.request.perSecond.toFixed(0)}/s`,
      baseline: `${t.echoBeforeRequest.perSecond.toFixed(0)}/s`,
      ratio: r2(t.request.perSecond / t.echoBeforeRequest.perSecond),
      target: "≥ 0.40",
      met: t.request.perSecond / t.echoBeforeRequest.perSecond >= 0.4,
    },
    {
      id: "request-p50",
      measure: "1. request-access turn: p50",
      ours: `${t.request.p50} ms`,
      baseline: `${t.echoBeforeRequest.p50} ms`,
      ratio: r2(ratio(t.request.p50, t.echoBeforeRequest.p50)),
      target: "reported",
      met: null,
    },
    {
      id: "request-p99",
      measure: "1. request-access turn: p99",
      ours: `${t.request.p99} ms`,
      baseline: `${t.echoBeforeRequest.p99} ms`,
      ratio: r2(ratio(t.request.p99, t.echoBeforeRequest.p99)),
      target: "≤ 3",
      met: ratio(t.request.p99, t.echoBeforeRequest.p99) <= 3,
    },
    {
      id: "approve-p50",
      measure: "2. approve invoke: p50",
      ours: `${t.approve.p50} ms`,
      baseline: `${t.echoBeforeApprove.p50} ms`,
      ratio: r2(ratio(t.approve.p50, t.echoBeforeApprove.p50)),
      target: "reported",
      met: null,
    },
    {
      id: "approve-p99",
      measure: "2. approve invoke: p99",
      ours: `${t.approve.p99} ms`,
      baseline: `${t.echoBeforeApprove.p99} ms`,
      ratio: r2(ratio(t.approve.p99, t.echoBeforeApprove.p99)),
      target: "≤ 3",
      met: ratio(t.approve.p99, t.echoBeforeApprove.p99) <= 3,
    },
  ];
  const trips = (id: string, name: string, target: string, met: (x: RoundTrips) => boolean) => {
    const x = rt[name];
    if (!x) return;
    out.push({
      id,
      measure: `3. store round trips: ${name}`,
      ours: `${x.inTurn} (${x.calls.join(", ") || "none"})`,
      baseline: x.followUps ? `then ${x.followUps} in follow-up work` : "",
      ratio: "",
      target,
      met: met(x),
    });
  };
  trips("trips-submit", "submit", "≤ 4", (x) => x.inTurn <= 4);
  trips("trips-decide", "decide", "≤ 4", (x) => x.inTurn <= 4);
  trips("trips-status", "status", "1 point read", (x) => x.inTurn === 1 && x.pointReads === 1);
  trips("trips-people", "people page", "1 query", (x) => x.queries === 1 && x.inTurn - x.pointReads === 1);
  out.push({
    id: "cross-partition",
    measure: "3. cross-partition queries in bot turns (request, approve, status)",
    ours: String(
      r.crossPartitionInTurns + (rt.submit?.crossPartitionQueries ?? 0) + (rt.status?.crossPartitionQueries ?? 0),
    ),
    baseline: "",
    ratio: "",
    target: "0",
    met:
      r.crossPartitionInTurns + (rt.submit?.crossPartitionQueries ?? 0) + (rt.status?.crossPartitionQueries ?? 0) === 0,
  });
  for (const c of r.people.cases) {
    for (const p of ["p50", "p95"] as const) {
      out.push({
        id: `people-${c.name.replace(/\s+/g, "-")}-${p}`,
        measure: `4. People API, ${c.name}: ${p}`,
        ours: `${c.api[p].toFixed(0)} ms`,
        baseline: `${c.raw[p].toFixed(0)} ms (raw SDK query)`,
        ratio: r2(c.api[p] / c.raw[p]),
        target: "≤ 1.5",
        met: c.api[p] / c.raw[p] <= 1.5,
      });
    }
  }
  const growth = r.memory.after20kMiB / r.memory.after10kMiB - 1;
  out.push({
    id: "memory",
    measure: "5. bot RSS after 10,000 → 20,000 turns",
    ours: `${r.memory.after10kMiB.toFixed(0)} → ${r.memory.after20kMiB.toFixed(0)} MiB`,
    baseline: `${r.memory.startMiB.toFixed(0)} MiB before`,
    ratio: `${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}%`,
    target: `flat (≤ +${MEMORY_NOISE * 100}%)`,
    met: growth <= MEMORY_NOISE,
  });
  out.push({
    id: "startup",
    measure: "6. start-up to /readyz 200",
    ours: `${r.startup.botMs} ms (${r.startup.botInProcessStoreMs} ms with the store in-process)`,
    baseline: `${r.startup.echoMs} ms`,
    ratio: r2(r.startup.botMs / r.startup.echoMs),
    target: "reported",
    met: null,
  });
  return out;
};

/** The results as the markdown table the README shows, with a note for each missed target. */
export const renderMarkdown = (r: BenchResults): string => {
  const all = rows(r);
  const missed = all.filter((x) => x.met === false);
  const lines = [
    `Access Desk benchmark, ${r.date.slice(0, 16).replace("T", " ")} UTC, ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node} (${r.durationS} s).`,
    "Baselines run in the same process tree at the same time: the echo bot (turns, start-up) and the raw SDK query (People API).",
    "",
    "| measure | Access Desk | baseline | ratio | target | met |",
    "|---|---|---|---|---|---|",
    ...all.map(
      (x) =>
        `| ${x.measure} | ${x.ours} | ${x.baseline} | ${x.ratio} | ${x.target} | ${x.met === null ? "" : x.met ? "yes" : "**no**"} |`,
    ),
    "",
    `Turns: ${r.turns.filed} requests filed and ${r.turns.approved} approved in the store, as the answers said; 20 connections, ${r.turns.request.durationS} s each.`,
  ];
  if (missed.length > 0) {
    lines.push("", "Missed targets:");
    for (const m of missed) lines.push(`- ${m.measure}: ${NOTES[m.id] ?? "no explanation recorded yet."}`);
  }
  return `${lines.join("\n")}\n`;
};
