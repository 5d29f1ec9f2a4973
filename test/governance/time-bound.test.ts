import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { Person } from "../../src/domain/person.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { DIRECTORY, startApiApp } from "../helpers/api-app.js";
import { aPerson, anMspAdminAssignment } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { ADMIN_CHANNEL, auditIn, person, requestsIn } from "../helpers/reliability.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A clock the test moves by hand, so a day of governance runs in milliseconds. */
class TestClock {
  constructor(private at: number) {}
  now = () => new Date(this.at);
  advance(ms: number) {
    this.at += ms;
  }
}

/**
 * Time-bound access and waiting requests: the real bot in-process with a hand-moved clock, its
 * governance run called directly (as the scheduler calls it), Teams messages landing in a stand-in
 * connector.
 */
describe("governance: time-bound access, reminders, stale requests, self-registration", function () {
  this.timeout(120_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  let clock: TestClock;
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });
  const admin = person(1, "b");
  const chatOf = (who: Who) => `a:personal-${who.id}`;
  const textOf = (s: { body: unknown }) => JSON.stringify(s.body);
  const start = async (env: Record<string, string> = {}) => {
    ({ app, stores, container } = await startApiApp(
      issuer,
      {
        ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
        API_LIMIT_PER_MINUTE: "100000",
        REQUEST_LIMIT_PER_HOUR: "1000",
        // The schedule itself stays out of the way: the test runs governance when it moves the clock.
        GOVERNANCE_EVERY_SECONDS: "86400",
        ...env,
      },
      { clock },
    ));
    await stores.people.create(
      aPerson({
        personId: admin.aadObjectId,
        directoryId: DIRECTORY,
        name: admin.name,
        homeTenantId: "msp",
        assignment: anMspAdminAssignment(),
      }),
    );
  };
  const invoke = async (who: Who, verb: string, data: unknown, scope: "personal" | "channel" = "personal") =>
    JSON.stringify((await postActivity(app.url, activities.invoke(from(who), verb, data, scope))).body);
  const ask = async (who: Who, justification: string) => {
    const answer = await invoke(who, "submitRequest", { justification });
    await app.idle();
    return answer;
  };
  const approve = async (who: Who, expiry: string) => {
    const request = (await requestsIn(container)).find(
      (r) => r.personId === who.aadObjectId && r.status === "pending",
    )!;
    const answer = await invoke(
      admin,
      "approveRequest",
      { requestId: request.id, role: "msp-user", tenantAccess: "all", expiry },
      "channel",
    );
    assert.match(answer, /Approved/);
    await app.idle();
  };
  const personOf = async (who: Who) => (await stores.people.get(who.aadObjectId))!.value as Person;
  const govern = async () => {
    const result = await app.services.runGovernance();
    await app.idle();
    return result;
  };

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(() => {
    sink.sent.length = 0;
    clock = new TestClock(Date.parse("2026-12-07T08:00:00.000Z"));
  });
  afterEach(async () => {
    await app?.close();
  });

  it("a day's access: one reminder an hour before with a pre-filled extension, then revoked on time, told and audited", async () => {
    await start();
    const user = person(10);
    await ask(user, "Covering the service desk this week");
    await approve(user, "1d");
    const grant = (await personOf(user)).assignment!;
    assert.equal(Date.parse(grant.expiresAt!) - clock.now().getTime(), DAY);

    clock.advance(HOUR);
    assert.equal((await govern()).reminded, 0, "not yet: a grant of a day is reminded an hour before its end");
    clock.advance(DAY - 2 * HOUR); // an hour before the end
    const first = await govern();
    assert.equal(first.reminded, 1);
    assert.equal((await govern()).reminded, 0, "one reminder per grant");
    const reminders = sink.messagesTo(chatOf(user)).filter((s) => /Your access ends soon/.test(textOf(s)));
    assert.equal(reminders.length, 1);
    assert.match(textOf(reminders[0]!), /"verb":"requestExtension"/);

    // "Request extension": the answer is a request pre-filled with the current role and tenant access.
    const extension = await invoke(user, "requestExtension", {});
    assert.match(extension, /Extend your access/);
    assert.match(extension, /Please extend my MSP User access \(All tenants\)/);
    const inputs = (JSON.parse(extension) as { value: { body: Array<{ id?: string; value?: string }> } }).value.body;
    assert.equal(inputs.find((e) => e.id === "wishedRole")?.value, "msp-user");
    assert.match(String(inputs.find((e) => e.id === "justification")?.value), /which ends 2026-12-08 08:00 UTC/);

    clock.advance(HOUR + 60_000);
    const second = await govern();
    assert.equal(second.revoked, 1);
    assert.equal((await personOf(user)).assignment, null);
    const audit = await auditIn(container, "assignment.expired");
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.subject.id, user.aadObjectId);
    assert.equal(audit[0]!.actor.personId, "system");
    assert.equal((audit[0]!.before as { assignment: { role: string } }).assignment.role, "msp-user");
    assert.equal(sink.messagesTo(chatOf(user)).filter((s) => /Your access has ended/.test(textOf(s))).length, 1);

    assert.equal((await govern()).revoked, 0, "idempotent: nothing left to revoke");
    assert.equal((await auditIn(container, "assignment.expired")).length, 1);
    // The person sees that the access ended, and may ask again.
    assert.match(await invoke(user, "requestExtension", {}), /"title":"Request access","verb":"submitRequest"/);
  });

  it("an hour's grant is reminded within its last half hour; an extension request while access lasts is filed and extends it", async () => {
    await start();
    const user = person(11);
    await ask(user, "Urgent fix for Fabrikam");
    await approve(user, "1h");
    clock.advance(20 * 60_000);
    assert.equal((await govern()).reminded, 0);
    clock.advance(15 * 60_000);
    assert.equal((await govern()).reminded, 1);

    // Asking while the access lasts is refused as "has access" — unless it ends soon, as now.
    const answer = await ask(user, "Please extend my MSP User access (All tenants)");
    assert.match(answer, /Request sent/);
    await approve(user, "7d");
    const extended = (await personOf(user)).assignment!;
    assert.equal(Date.parse(extended.expiresAt!) - clock.now().getTime(), 7 * DAY);
    clock.advance(HOUR);
    const run = await govern();
    assert.equal(run.revoked, 0, "the extended grant is not revoked when the first one would have ended");
    assert.equal((await personOf(user)).assignment?.role, "msp-user");

    const lasting = person(12);
    await ask(lasting, "Permanent member of the team");
    await approve(lasting, "never");
    assert.match(await ask(lasting, "again"), /You have access/);
    assert.match(await invoke(lasting, "requestExtension", {}), /does not end soon/);
  });

  it("waiting requests: one reminder in the admins channel per waiting period; expired after the set days, requester told", async () => {
    await start({ PENDING_REMINDER_HOURS: "4", PENDING_EXPIRY_DAYS: "2" });
    const first = person(20);
    const second = person(21);
    await ask(first, "Need access to onboard a customer");
    clock.advance(HOUR);
    await ask(second, "Starting on Monday");
    const reminders = () => sink.messagesTo(ADMIN_CHANNEL).filter((s) => /waited more than 4 hours/.test(textOf(s)));

    clock.advance(3 * HOUR + 60_000);
    assert.equal((await govern()).waitingReminded, 1, "only the first has waited 4 hours");
    assert.match(textOf(reminders()[0]!), /1 access request has waited more than 4 hours/);
    assert.equal((await govern()).waitingReminded, 0, "not again within the period");
    clock.advance(HOUR);
    assert.equal((await govern()).waitingReminded, 1, "the second now; the first was reminded an hour ago");
    clock.advance(4 * HOUR);
    assert.equal((await govern()).waitingReminded, 2, "both again after another period");
    assert.match(textOf(reminders().at(-1)!), /2 access requests have waited more than 4 hours/);

    clock.advance(2 * DAY - 9 * HOUR);
    const run = await govern();
    assert.equal(run.expired, 1, "the first is two days old");
    const requests = await requestsIn(container);
    assert.equal(requests.find((r) => r.personId === first.aadObjectId)!.status, "expired");
    assert.equal(requests.find((r) => r.personId === second.aadObjectId)!.status, "pending");
    assert.equal((await auditIn(container, "request.expired")).length, 1);
    const told = sink.messagesTo(chatOf(first)).filter((s) => /Your access request expired/.test(textOf(s)));
    assert.equal(told.length, 1);
    assert.ok(
      sink.cardUpdates(ADMIN_CHANNEL).some((s) => /Expired without a decision/.test(textOf(s))),
      "the admins' card shows the request expired",
    );
    assert.equal((await personOf(first)).pendingRequest, null);
    // The requester may ask again.
    assert.match(await ask(first, "Still need it"), /Request sent/);
    clock.advance(HOUR);
    assert.equal((await govern()).expired, 1, "the second expires in turn");
    assert.equal((await govern()).expired, 0);
  });

  it("with self-registration off, requests are refused politely with whom to contact, and nothing is stored", async () => {
    await start({ SELF_REGISTRATION: "off", SELF_REGISTRATION_CONTACT: "servicedesk@contoso.example" });
    const user = person(30);
    const answer = await ask(user, "Please let me in");
    assert.match(answer, /not taking new requests at the moment\. Please contact servicedesk@contoso\.example/);
    assert.equal((await requestsIn(container)).length, 0);
    await postActivity(app.url, activities.message(from(user), "status"));
    await app.idle();
    const welcome = sink.messagesTo(chatOf(user)).map(textOf).join("\n");
    assert.match(welcome, /You do not have access yet/);
    assert.match(welcome, /not taking new requests/);
    assert.doesNotMatch(welcome, /"verb":"submitRequest"/);
  });

  it("two instances revoking at once: one revocation, one audit event, one notice", async () => {
    await start();
    const week = person(41);
    await ask(week, "A week on the Fabrikam project");
    await approve(week, "7d");
    clock.advance(5 * DAY + HOUR);
    assert.equal((await govern()).reminded, 0, "a week's grant: not two days before its end");
    clock.advance(DAY);
    assert.equal((await govern()).reminded, 1, "but a day before it");
    const user = person(40);
    await ask(user, "Temporary access");
    await approve(user, "1h");
    const other = await startApiApp(
      issuer,
      { ADMIN_CHANNEL_ID: ADMIN_CHANNEL, GOVERNANCE_EVERY_SECONDS: "86400" },
      {
        clock,
        database: (container as unknown as { database: { id: string } }).database.id,
      },
    );
    try {
      clock.advance(2 * HOUR);
      const [a, b] = await Promise.all([app.services.runGovernance(), other.app.services.runGovernance()]);
      await Promise.all([app.idle(), other.app.idle()]);
      assert.equal(a.revoked + b.revoked, 1);
      assert.equal((await auditIn(container, "assignment.expired")).length, 1);
      assert.equal(sink.messagesTo(chatOf(user)).filter((s) => /Your access has ended/.test(textOf(s))).length, 1);
    } finally {
      await other.app.close();
    }
  });
});
