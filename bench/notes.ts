/**
 * What bounds a target the code does not meet, from measured figures (bench/results/latest.json);
 * printed under the table when that target is missed in a run. Keyed by the row id in report.ts.
 */
const STORE_BOUND =
  "measured on 5 Dec (2 shared cores), sampling /proc/<pid>/stat every 4 s during the approve load: the " +
  "embedded store process used 91–118% of a core (one thread saturated, plus its GC) while the bot used " +
  "11–30%. The embedded Cosmos DB server is a single-threaded in-memory emulator, and every query it runs " +
  "copies and scans all of its documents (106,001 after the seed), partition key or not " +
  "(@vercel/cosmosdb-server, Items.query); Azure Cosmos DB serves a partition-bound query from its index on " +
  "servers of its own (which of the turns' calls cost the store most was not measured). The echo bot touches " +
  "no store. ";
const TURN =
  STORE_BOUND +
  "Beyond the echo's work a request turn also does a member look-up at the connector (Teams sends only ids), " +
  "its store round trips (row 3) and starts the card's follow-up work (audit event, card post, card recorded), " +
  "all on the same two cores.";

const PEOPLE =
  "the People API runs the same query as the raw SDK baseline (same SQL, same page size, one query plus the " +
  "SDK's query-plan request) and adds the signed-in admin's point read, the token check and the page's JSON; " +
  "the rounds are time-boxed to 30 s, so with queries of seconds each over 100,000 people in the embedded store " +
  "(see the approve row) p95 is the slowest of a few samples, taken on cores shared with other work.";

export const NOTES: Record<string, string> = {
  "people-search-p95": PEOPLE,
  "people-first-page-p95": PEOPLE,
  "people-filtered-page-p95": PEOPLE,
  "people-first-page-p50": PEOPLE,
  "people-filtered-page-p50": PEOPLE,
  "people-search-p50": PEOPLE,
  "request-throughput": TURN,
  "request-p99": TURN,
  "approve-p99":
    STORE_BOUND +
    "An approval answers after its commit and its record-keeping: reads of the admin, the request and the " +
    "requester, the conditional write, then the audit append and the assignment (row 3), so that the tab and " +
    "`status` show the outcome as soon as the card does; with the embedded store on the same two cores each " +
    "call costs CPU that the echo bot does not spend.",
  "trips-decide":
    "the decision commits with one conditional write after three point reads (admin, request, requester's " +
    "enabled state), which alone is 4; the audit append (chain head read, a check that the event is not " +
    "already in the chain, the head's conditional write, the event), the assignment write and the follow-up " +
    "mark are done before the answer because the tab and `status` must show the outcome at once (tests in " +
    "test/api/people-api.test.ts and test/bot/core-loop.test.ts rely on it). Meeting 4 needs the audit " +
    "chain's head kept in the person document, so that the assignment and the audit place are one write.",
  "trips-submit":
    "a first-time chat address adds its read and its write; a person the app does not know yet adds their " +
    "creation and its audit event (see the first-contact row).",
  "trips-people":
    "the Cosmos SDK sends a cross-partition ORDER BY query as a query-plan request and then the query; the " +
    "People API also point-reads the signed-in admin's own record to check their rights.",
  "cross-partition":
    "the in-turn calls of the actions measured one at a time, over three samples each; a query is counted as " +
    "cross-partition when the SDK sent it without a partition key (the People API's page query is one by design: " +
    "people are partitioned by person).",
  memory:
    "RSS is sampled once after each block of turns; V8 grows and trims its heap lazily, so one sample " +
    "varies by tens of MiB, and the blocks are time-boxed (35 s each), so on a loaded machine they end before " +
    "10,000 turns (the row says how many were reached). Runs on this machine: 341 → 253 MiB after 10,000 → " +
    "20,000 turns (4 Dec), 324 → 439 MiB after 10,000 → 20,000 (5 Dec, blocks not yet time-boxed). Whether the " +
    "growth is retained memory or heap not yet trimmed needs a heap snapshot of the bot, which the bench does " +
    "not take.",
};
