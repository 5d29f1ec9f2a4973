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

/** A People API question: the app's answer times, the answers that were not a page, and the raw query's times. */
export type PeopleCase = {
  name: string;
  api: { p50: number; p95: number } | null;
  apiFailures: { status: number; ms: number }[];
  raw: { p50: number; p95: number };
  /** How many times each side was asked. */
  samples?: number;
};

/** A run's results; a phase that did not complete leaves its part out and is listed in `failures`. */
export type BenchResults = {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  durationS: number;
  /** Seconds each phase took. */
  phasesS: Record<string, number>;
  startup?: { echoMs: number; botMs: number };
  turns?: {
    echoBeforeRequest: LoadResult;
    request: LoadResult;
    filed: number;
    echoBeforeApprove?: LoadResult;
    approve?: LoadResult;
    approved?: number;
    /** Each process's share of a core during the loads (per cent of one core). */
    cpu?: { echo?: Record<string, number>; request?: Record<string, number>; approve?: Record<string, number> };
    /** HTTP calls per filed request / per approval, their follow-up work included. */
    requestWork?: { storeCalls: number; connectorCalls: number };
    approveWork?: { storeCalls: number; connectorCalls: number };
  };
  roundTrips: Record<string, RoundTrips>;
  /** Cross-partition queries (not counting their query plans) the store ran during the load phases, by SQL. */
  crossPartitionDuringLoad?: { sql: string; count: number }[];
  memory?: {
    startMiB: number;
    after10kMiB: number;
    after20kMiB: number;
    /** The V8 heap in use after a full garbage collection (through the bot's inspector), in MiB. */
    heapStartMiB?: number;
    heap10kMiB?: number;
    heap20kMiB?: number;
    /** Bot turns taken when each sample was read (10,000 and 20,000 unless a block reached its time box). */
    turnsAtFirst: number;
    turnsAtSecond: number;
    statusTurns: LoadResult;
  };
  people?: { seeded: number; rounds: number; cases: PeopleCase[] };
  sinkStats?: unknown;
  failures: { phase: string; error: string }[];
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

/** A target the run did not reach a figure for: shown as missed, with the phase's error as its note. */
const notMeasured = (r: BenchResults, id: string, measure: string, target: string, phase: string): Row => {
  const failure = r.failures.find((f) => f.phase === phase);
  return {
    id,
    measure,
    ours: `not measured${failure ? `: ${failure.phase} phase failed (${failure.error})` : ""}`,
    baseline: "",
    ratio: "",
    target,
    met: false,
  };
};

/** Every reported figure, its baseline, and the target it is held to (null: reported only). */
export const rows = (r: BenchResults): Row[] => {
  const t = r.turns;
  const rt = r.roundTrips;
  const out: Row[] = [];
  const turnRows = (
    kind: "request" | "approve",
    label: string,
    ours: LoadResult | undefined,
    echo: LoadResult | undefined,
    withThroughput: boolean,
  ) => {
    if (!ours || !echo) {
      out.push(notMeasured(r, `${kind}-p99`, `${label}: p99`, "≤ 3", "turns"));
      return;
    }
    if (withThroughput)
      out.push({
        id: `${kind}-throughput`,
        measure: `${label}: throughput`,
        ours: `${ours.perSecond.toFixed(0)}/s${ours.failed ? ` (${ours.failed} failed)` : ""}`,
        baseline: `${echo.perSecond.toFixed(0)}/s`,
        ratio: r2(ours.perSecond / echo.perSecond),
        target: "≥ 0.40",
        met: ours.perSecond / echo.perSecond >= 0.4,
      });
    out.push({
      id: `${kind}-p50`,
      measure: `${label}: p50`,
      ours: `${ours.p50} ms`,
      baseline: `${echo.p50} ms`,
      ratio: r2(ratio(ours.p50, echo.p50)),
      target: "reported",
      met: null,
    });
    out.push({
      id: `${kind}-p99`,
      measure: `${label}: p99`,
      ours: `${ours.p99} ms`,
      baseline: `${echo.p99} ms`,
      ratio: r2(ratio(ours.p99, echo.p99)),
      target: "≤ 3",
      met: ratio(ours.p99, echo.p99) <= 3,
    });
  };
  turnRows("request", "1. request-access turn", t?.request, t?.echoBeforeRequest, true);
  turnRows("approve", "2. approve invoke", t?.approve, t?.echoBeforeApprove, false);

  const trips = (id: string, name: string, target: string, met: (x: RoundTrips) => boolean, phase: string) => {
    const x = rt[name];
    if (!x) {
      out.push(notMeasured(r, id, `3. store round trips: ${name}`, target, phase));
      return;
    }
    out.push({
      id,
      measure: `3. store round trips: ${name}`,
      ours: `${x.inTurn} (${x.calls.join(", ") || "none"})`,
      baseline: x.followUps ? `then ${x.followUps} in follow-up work` : "",
      ratio: "",
      target,
      met: target === "reported" ? null : met(x),
    });
  };
  trips("trips-submit", "submit", "≤ 4", (x) => x.inTurn <= 4, "round trips");
  if (rt["submit, first contact"]) trips("trips-first", "submit, first contact", "reported", () => true, "");
  trips("trips-decide", "decide", "≤ 4", (x) => x.inTurn <= 4, "round trips");
  trips("trips-status", "status", "1 point read", (x) => x.inTurn === 1 && x.pointReads === 1, "round trips");
  trips(
    "trips-people",
    "people page",
    "1 query",
    // The one query, the SDK's query-plan request that goes with it (no request units), and point reads
    // of the signed-in admin's rights, which every action re-reads.
    (x) => x.queries === 1 && x.calls.every((c) => c.startsWith("query") || c === "read person"),
    "people api",
  );
  const hotPaths = Object.entries(rt).filter(([name]) => name !== "people page");
  const crossPartition = hotPaths.reduce((n, [, x]) => n + x.crossPartitionQueries, 0);
  out.push({
    id: "cross-partition",
    measure: `3. cross-partition queries in bot turns (${hotPaths.map(([name]) => name).join("; ") || "none measured"})`,
    ours: String(crossPartition),
    baseline: "",
    ratio: "",
    target: "0",
    met: hotPaths.length > 0 && crossPartition === 0,
  });
  if (r.crossPartitionDuringLoad)
    out.push({
      id: "cross-partition-background",
      measure: "3. cross-partition queries during the load phases, in work the turns leave behind",
      ours: r.crossPartitionDuringLoad.map((q) => `${q.count} × \`${q.sql}\``).join("; ") || "0",
      baseline: "",
      ratio: "",
      target: "reported",
      met: null,
    });
  if (!r.people?.cases.length)
    out.push(notMeasured(r, "people", "4. People API: first page, filtered page, search", "≤ 1.5", "people api"));
  for (const c of r.people?.cases ?? []) {
    const failed = c.apiFailures.length
      ? ` (${c.apiFailures.length} answered ${[...new Set(c.apiFailures.map((f) => f.status))].join("/")}, after ${c.apiFailures.map((f) => f.ms).join(", ")} ms)`
      : "";
    for (const p of ["p50", "p95"] as const) {
      const api = c.api?.[p];
      out.push({
        id: `people-${c.name.replace(/\s+/g, "-")}-${p}`,
        measure: `4. People API, ${c.name}: ${p}`,
        ours: `${api === undefined ? "no page" : `${api.toFixed(0)} ms`}${failed}`,
        baseline: `${c.raw[p].toFixed(0)} ms (raw SDK query)`,
        ratio: api === undefined ? "–" : r2(api / c.raw[p]),
        target: "≤ 1.5",
        met: api !== undefined && c.apiFailures.length === 0 && api / c.raw[p] <= 1.5,
      });
    }
  }
  if (r.memory) {
    const m = r.memory;
    const turns = `${m.turnsAtFirst.toLocaleString("en")} → ${m.turnsAtSecond.toLocaleString("en")} turns`;
    const reached = m.turnsAtFirst >= 10_000 && m.turnsAtSecond >= 20_000;
    const pct = (g: number) => `${g >= 0 ? "+" : ""}${(g * 100).toFixed(1)}%`;
    const heapKnown = m.heap10kMiB !== undefined && m.heap20kMiB !== undefined && m.heapStartMiB !== undefined;
    if (heapKnown) {
      const heapGrowth = m.heap20kMiB! / m.heap10kMiB! - 1;
      out.push({
        id: "memory",
        measure: `5. bot heap after a full GC, after ${turns}`,
        ours: `${m.heap10kMiB!.toFixed(1)} → ${m.heap20kMiB!.toFixed(1)} MiB`,
        baseline: `${m.heapStartMiB!.toFixed(1)} MiB before`,
        ratio: pct(heapGrowth),
        target: `flat (≤ +${MEMORY_NOISE * 100}%) after 10,000 and 20,000 turns`,
        // Flat over fewer turns than the target's is not the target met: the time box ended the blocks.
        met: reached && heapGrowth <= MEMORY_NOISE,
      });
    }
    const growth = m.after20kMiB / m.after10kMiB - 1;
    out.push({
      id: heapKnown ? "memory-rss" : "memory",
      measure: `5. bot RSS after ${turns}`,
      ours: `${m.after10kMiB.toFixed(0)} → ${m.after20kMiB.toFixed(0)} MiB`,
      baseline: `${m.startMiB.toFixed(0)} MiB before`,
      ratio: pct(growth),
      target: heapKnown ? "reported" : `flat (≤ +${MEMORY_NOISE * 100}%) after 10,000 and 20,000 turns`,
      met: heapKnown ? null : reached && growth <= MEMORY_NOISE,
    });
  } else out.push(notMeasured(r, "memory", "5. bot RSS after 10,000 → 20,000 turns", "flat", "memory"));
  if (r.startup)
    out.push({
      id: "startup",
      measure: "6. start-up to /readyz 200",
      ours: `${r.startup.botMs} ms`,
      baseline: `${r.startup.echoMs} ms`,
      ratio: r2(r.startup.botMs / r.startup.echoMs),
      target: "reported",
      met: null,
    });
  else out.push(notMeasured(r, "startup", "6. start-up to /readyz 200", "reported", "start-up"));
  return out;
};

/** The results as the markdown table the README shows, with a note for each missed target. */
export const renderMarkdown = (r: BenchResults): string => {
  const all = rows(r);
  const missed = all.filter((x) => x.met === false);
  const lines = [
    `Access Desk benchmark, ${r.date.slice(0, 16).replace("T", " ")} UTC, ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node} (${r.durationS} s: ${Object.entries(
      r.phasesS,
    )
      .map(([k, v]) => `${k} ${v} s`)
      .join(", ")}).`,
    "Baselines run in the same process tree at the same time: the echo bot (turns, start-up) and the raw SDK query (People API).",
    "",
    "| measure | Access Desk | baseline | ratio | target | met |",
    "|---|---|---|---|---|---|",
    ...all.map(
      (x) =>
        `| ${x.measure} | ${x.ours} | ${x.baseline} | ${x.ratio} | ${x.target} | ${x.met === null ? "" : x.met ? "yes" : "**no**"} |`,
    ),
  ];
  if (r.turns)
    lines.push(
      "",
      `Turns: ${r.turns.filed} requests filed${r.turns.approved === undefined ? "" : ` and ${r.turns.approved} approved`} in the store, as the answers said; 20 connections, ${r.turns.request.durationS} s each.${r.people ? ` People API: ${r.people.rounds} rounds (each: the first page once, the filtered page and the search three times; API and raw query taking turns to go first).` : ""}`,
    );
  const cpu = (c: Record<string, number> | undefined) =>
    c
      ? Object.entries(c)
          .map(([name, pct]) => `${name} ${pct}%`)
          .join(", ")
      : "not measured";
  if (r.turns?.cpu)
    lines.push(
      "",
      `CPU during the loads, in per cent of one core (2 cores in all): echo turns: ${cpu(r.turns.cpu.echo)}; request turns: ${cpu(r.turns.cpu.request)}; approvals: ${cpu(r.turns.cpu.approve)}.`,
    );
  if (r.turns?.requestWork)
    lines.push(
      "",
      `HTTP calls per filed request, its follow-up work included: ${r.turns.requestWork.storeCalls} to the store, ${r.turns.requestWork.connectorCalls} to the connector` +
        (r.turns.approveWork
          ? `; per approval: ${r.turns.approveWork.storeCalls} to the store, ${r.turns.approveWork.connectorCalls} to the connector`
          : "") +
        ". An echo turn makes 1 call to the connector and none to the store.",
    );
  if (r.failures.length > 0) {
    lines.push("", "Phases that did not complete:");
    for (const f of r.failures) lines.push(`- ${f.phase}: ${f.error}`);
  }
  if (missed.length > 0) {
    lines.push("", "Missed targets:");
    for (const m of missed) {
      const note = NOTES[m.id];
      lines.push(`- ${m.measure}: ${(typeof note === "function" ? note(r) : note) ?? "no explanation recorded yet."}`);
    }
  }
  return `${lines.join("\n")}\n`;
};
