/**
 * What bounds a target the code does not meet, from measured figures (bench/results/latest.json);
 * printed under the table when that target is missed in a run. Keyed by the row id in report.ts.
 */
const TURN =
  "a request turn does, beyond the echo's work, a member look-up at the connector (Teams sends only ids), " +
  "three to five store round trips through the Cosmos SDK (each costs CPU in the bot: signing, headers, " +
  "diagnostics), its log lines, and starts the card's follow-up work (audit event, lease, card post, card " +
  "recorded: about nine more store calls and a connector POST) on the same two cores. Here the embedded " +
  "store itself also runs on those two cores (a point read costs about 5 ms of client and server CPU on " +
  "this machine), where Azure Cosmos DB would not; the echo bot has none of this. The round trips are " +
  "listed in row 3; the next step is fewer follow-up calls (the audit head kept in the person document).";

export const NOTES: Record<string, string> = {
  "request-throughput": TURN,
  "request-p99": TURN,
  "approve-p99":
    "an approval answers after its commit and its record-keeping: reads of the admin, the request and the " +
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
  memory:
    "RSS is sampled once after each block of turns; V8 grows and trims its heap lazily, so one sample " +
    "varies by tens of MiB on a loaded machine.",
};
