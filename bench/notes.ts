import type { BenchResults } from "./report.js";

/**
 * What bounds a target the code does not meet, from the run's own figures (bench/results/latest.json)
 * and from CPU profiles taken with BENCH_CPU_PROFILE=1; printed under the table when that target is
 * missed in a run. Keyed by the row id in report.ts.
 */
type Note = string | ((r: BenchResults) => string);

const share = (cpu: Record<string, number> | undefined, name: string) =>
  cpu ? `${cpu[name] ?? "?"}%` : "not measured";

/** The bot's own thread is the bound: its CPU share during the load, and the HTTP work behind each turn. */
const botBound =
  (load: "request" | "approve") =>
  (r: BenchResults): string => {
    const cpu = r.turns?.cpu?.[load];
    const work = load === "request" ? r.turns?.requestWork : r.turns?.approveWork;
    const what = load === "request" ? "filed request" : "approval";
    return (
      `measured in this run: during the load the bot process used ${share(cpu, "bot")} of a core, the embedded store ` +
      `${share(cpu, "store")}, the connector stand-in ${share(cpu, "connector")} and the load generator ${share(cpu, "load")} ` +
      `(2 cores in all), so the bot's single JavaScript thread is what bounds the rate. Each ${what} costs it ` +
      `${work?.storeCalls ?? "?"} HTTP calls to the store and ${work?.connectorCalls ?? "?"} to the connector, its ` +
      "follow-up work included, where an echo turn makes 1 call to the connector. A CPU profile of the bot during this " +
      "load (BENCH_CPU_PROFILE=1, 5 Dec) puts 34% of its time in the Cosmos SDK's request path (headers, signing, " +
      "diagnostics, retries) and 27% in Node's HTTP client, and 5–8% in Access Desk's own code: the cost is per " +
      "HTTP call, not in the app's logic. Before it answers, " +
      (load === "request"
        ? "a request turn makes 4 store calls (row 3) and a member look-up at the connector (Teams sends only ids); " +
          "the audit event and the card in the admins channel follow the answer, on the same thread (the card at the " +
          "pace Teams allows in one channel)."
        : "an approval makes 3 store calls (row 3): the admin's rights, one batch read and one transactional write; the " +
          "card update and the requester's notice follow the answer, on the same thread.") +
      " With 20 connections kept busy, a turn's latency is about the connections divided by the rate, so p99 follows " +
      "the rate."
    );
  };

/** A People API p95 over the few samples a time-boxed run takes, with the p50 that shows the steady cost. */
const people =
  (name: string) =>
  (r: BenchResults): string => {
    const c = r.people?.cases.find((x) => x.name === name);
    const samples = c?.samples ?? "?";
    const p50 = c?.api ? (c.api.p50 / c.raw.p50).toFixed(2) : "?";
    return (
      `the People API runs the same query as the raw SDK baseline (same SQL, same page size, one query plus the ` +
      `SDK's query-plan request) and adds the signed-in admin's point read, the token check and the page's JSON. ` +
      `In this run each side has ${samples} samples of this page, so p95 is about the slowest one, taken on cores ` +
      `shared with the rest of the run and with the embedded store's single thread; the p50 ratio, ${p50}, is ` +
      "the steady cost of those additions."
    );
  };

export const NOTES: Record<string, Note> = {
  "people-search-p95": people("search"),
  "people-first-page-p95": people("first page"),
  "people-filtered-page-p95": people("filtered page"),
  "people-first-page-p50": people("first page"),
  "people-filtered-page-p50": people("filtered page"),
  "people-search-p50": people("search"),
  "request-throughput": botBound("request"),
  "request-p99": botBound("request"),
  "approve-p99": botBound("approve"),
  "trips-decide":
    "a decision reads the admin's rights (a point read), then the request, the requester and the audit chain's " +
    "head in one batch, then writes the request, the requester and the audit event in one transactional batch.",
  "trips-submit":
    "a request reads the person, creates the request and records it on the person; a person the app does not " +
    "know yet adds their creation and its audit event (see the first-contact row).",
  "trips-people":
    "the Cosmos SDK sends a cross-partition ORDER BY query as a query-plan request and then the query; the " +
    "People API also point-reads the signed-in admin's own record to check their rights.",
  "cross-partition":
    "the in-turn calls of the actions measured one at a time, over three samples each; a query is counted as " +
    "cross-partition when the SDK sent it without a partition key (the People API's page query is one by design: " +
    "people are partitioned by person).",
  memory:
    "the heap is read through the bot's inspector after a full garbage collection, once each block of status " +
    "turns has ended; the blocks are time-boxed (60 s each), so on a loaded machine they may end before 10,000 " +
    "and 20,000 turns (the row says how many were reached), and then the target is not shown met.",
};
