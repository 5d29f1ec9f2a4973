import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import type { AccessRequest } from "../../src/domain/access-request.js";
import type { Person } from "../../src/domain/person.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { aPerson, anMspAdminAssignment } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { EntraStandIn } from "../helpers/entra-stand-in.js";
import { GraphStandIn, type StandInUser } from "../helpers/graph-stand-in.js";
import { RESULTS_DIR } from "../helpers/local-stack.js";
import { ADMIN_CHANNEL, auditIn, person, requestsIn } from "../helpers/reliability.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const CLIENT_ID = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
const SECRET = "graph-secret-that-must-not-be-logged";
/** A customer directory the app is allowed for, but whose admin has not consented to the Graph app. */
const SECOND_DIRECTORY = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
const INITIAL_ADMIN = "22222222-2222-4222-8222-222222222222";
const LOG = "directory-sync.log";

/** A clock the test moves by hand. */
class TestClock {
  constructor(private at: number) {}
  now = () => new Date(this.at);
  advance(ms: number) {
    this.at += ms;
  }
}

const account = (who: Who, overrides: Partial<StandInUser> = {}): StandInUser => {
  const alias = who.name.toLowerCase().replace(/\s+/g, ".");
  return {
    id: who.aadObjectId,
    displayName: who.name,
    mail: `${alias}@contoso.example`,
    userPrincipalName: `${alias}@contoso.example`,
    accountEnabled: true,
    ...overrides,
  };
};

/**
 * Directory sync: the real app in-process with the production Graph client and @azure/identity
 * credential, signing in against an HTTPS Entra stand-in and reading a Graph stand-in that speaks the
 * delta protocol; Teams messages land in a stand-in connector.
 */
describe("governance: Entra directory sync and offboarding", function () {
  this.timeout(120_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let entra: EntraStandIn;
  let graph: GraphStandIn;
  let caFile: string;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  let clock: TestClock;
  const admin = person(1, "b");
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });
  const textOf = (s: { body: unknown }) => JSON.stringify(s.body);

  const start = async (env: Record<string, string> = {}, database?: string) => {
    ({ app, stores, container } = await startApiApp(
      issuer,
      {
        ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
        API_LIMIT_PER_MINUTE: "100000",
        REQUEST_LIMIT_PER_HOUR: "1000",
        GOVERNANCE_EVERY_SECONDS: "86400",
        GRAPH_CLIENT_ID: CLIENT_ID,
        GRAPH_CLIENT_SECRET: SECRET,
        GRAPH_ENDPOINT: graph.url,
        ENTRA_AUTHORITY_HOST: entra.url,
        GRAPH_CA_FILE: caFile,
        ...env,
      },
      { clock, logFile: LOG, ...(database ? { database } : {}) },
    ));
  };
  /** The MSP Admin, known to the app and with a chat it can reach. */
  const seedAdmin = async () => {
    await stores.people.create(
      aPerson({
        personId: admin.aadObjectId,
        directoryId: DIRECTORY,
        name: admin.name,
        homeTenantId: "msp",
        assignment: anMspAdminAssignment(),
      }),
    );
    await postActivity(app.url, activities.message(from(admin), "help"));
    await app.idle();
  };
  const invoke = async (who: Who, verb: string, data: unknown, scope: "personal" | "channel" = "personal") =>
    JSON.stringify((await postActivity(app.url, activities.invoke(from(who), verb, data, scope))).body);
  const ask = async (who: Who, justification: string) => {
    const answer = await invoke(who, "submitRequest", { justification });
    await app.idle();
    assert.match(answer, /Request sent/);
  };
  const approve = async (who: Who) => {
    const request = (await requestsIn(container)).find(
      (r) => r.personId === who.aadObjectId && r.status === "pending",
    )!;
    const answer = await invoke(
      admin,
      "approveRequest",
      { requestId: request.id, role: "msp-user", tenantAccess: "all", expiry: "never" },
      "channel",
    );
    assert.match(answer, /Approved/);
    await app.idle();
  };
  const personOf = async (id: string) => (await stores.people.get(id))?.value as Person | undefined;
  const sync = async () => {
    const result = await app.services.syncDirectories();
    await app.idle();
    return result;
  };
  /** Stored documents, leaving out the sync's bookmark, which every run writes (leases are left out already). */
  const stateOf = async () => (await snapshot(container)).filter((d) => !d.includes("/directory-sync-"));
  const notes = () => sink.messagesTo(ADMIN_CHANNEL).filter((s) => /Directory sync/.test(textOf(s)));
  const logLines = () =>
    readFileSync(join(RESULTS_DIR, LOG), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  /** The directory as Entra holds it at the start: the admins plus ten colleagues. */
  const colleagues = Array.from({ length: 10 }, (_, i) => person(100 + i));
  const seedDirectory = () => {
    graph.addUser(DIRECTORY, account(admin));
    graph.addUser(DIRECTORY, {
      id: INITIAL_ADMIN,
      displayName: "Megan Bowen",
      mail: "meganb@contoso.example",
      userPrincipalName: "meganb@contoso.example",
      accountEnabled: true,
    });
    for (const c of colleagues) graph.addUser(DIRECTORY, account(c));
  };

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
    mkdirSync(RESULTS_DIR, { recursive: true });
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(async () => {
    entra = await EntraStandIn.start([{ clientId: CLIENT_ID, secret: SECRET, directories: [DIRECTORY] }]);
    graph = await GraphStandIn.start(entra, { pageSize: 3 });
    caFile = join(RESULTS_DIR, "entra-stand-in-ca.pem");
    writeFileSync(caFile, entra.caPem);
    writeFileSync(join(RESULTS_DIR, LOG), "");
    sink.sent.length = 0;
    clock = new TestClock(Date.parse("2026-12-07T08:00:00.000Z"));
  });
  afterEach(async () => {
    await app?.close();
    await Promise.all([graph?.close(), entra?.close()]);
  });

  it("the first run reads the directory page by page and creates its people; profile changes follow; a second run changes nothing", async () => {
    seedDirectory();
    await start();
    await seedAdmin();
    // Someone who asked in Teams before the sync knew them keeps their record (and source).
    const early = colleagues[0]!;
    await ask(early, "Joining the service desk");

    const [first] = await sync();
    assert.equal(first!.outcome, "synced");
    assert.equal(first!.full, true);
    assert.equal(first!.accounts, 12);
    assert.ok(
      graph.calls.filter((c) => c.status === 200).length >= 4,
      "twelve accounts in pages of three: several pages",
    );
    assert.ok(entra.tokenRequests.some((t) => t.granted && t.clientId === CLIENT_ID && t.directoryId === DIRECTORY));

    for (const c of colleagues.slice(1)) {
      const p = (await personOf(c.aadObjectId))!;
      assert.equal(p.source, "entra");
      assert.equal(p.name, c.name);
      assert.equal(p.upn, account(c).userPrincipalName);
      assert.equal(p.email, account(c).mail);
      assert.equal(p.homeTenantId, "msp", "the tenant linked to the directory");
      assert.equal(p.enabled, true);
      assert.equal(p.assignment, null, "found in the directory is not access");
    }
    assert.equal((await personOf(early.aadObjectId))!.source, "self-registration");
    const registered = (await auditIn(container, "person.registered")).filter(
      (e) => (e.after as { source: string }).source === "entra",
    );
    assert.equal(registered.length, 9);
    assert.ok(registered.every((e) => e.actor.personId === "system" && e.tenantId === "msp"));
    assert.equal(notes().length, 0, "nobody offboarded: no note");

    // Nothing changed in Entra: the delta link asks only for changes, and nothing is written.
    const before = await stateOf();
    const callsBefore = graph.calls.length;
    const [second] = await sync();
    assert.equal(second!.full, false);
    assert.equal(second!.accounts, 0);
    assert.equal(graph.calls.length, callsBefore + 1, "one delta call, no full read");
    assert.match(graph.calls.at(-1)!.query, /\$deltatoken=/);
    assert.deepEqual(await stateOf(), before);

    // A rename, a new address and a new account.
    graph.updateUser(DIRECTORY, colleagues[1]!.aadObjectId, { displayName: "Adele Vance-Smith" });
    graph.updateUser(DIRECTORY, early.aadObjectId, {
      mail: "joiner@fabrikam.example",
      userPrincipalName: "joiner@contoso.example",
    });
    const newcomer = person(200);
    graph.addUser(DIRECTORY, account(newcomer));
    const [third] = await sync();
    assert.equal(third!.accounts, 3);
    assert.equal(third!.updated, 2);
    assert.equal(third!.created, 1);
    assert.equal((await personOf(colleagues[1]!.aadObjectId))!.name, "Adele Vance-Smith");
    const moved = (await personOf(early.aadObjectId))!;
    assert.equal(moved.email, "joiner@fabrikam.example");
    assert.equal(moved.upn, "joiner@contoso.example");
    assert.equal(moved.name, early.name, "a property Graph left out keeps its value");
    assert.equal((await personOf(newcomer.aadObjectId))!.source, "entra");
  });

  it("offboards disabled and deleted accounts at once, closes a waiting request, tells the admins once; re-enabled gets no access back; an admin's disable stands", async () => {
    seedDirectory();
    await start();
    await seedAdmin();
    const [leaver, quitter, handDisabled, bystander] = colleagues;
    await ask(leaver!, "Service desk shifts");
    await approve(leaver!);
    await ask(quitter!, "Need to look at Fabrikam's devices");
    await ask(handDisabled!, "Project work");
    await approve(handDisabled!);
    await sync();
    assert.equal((await personOf(leaver!.aadObjectId))!.assignment?.role, "msp-user");
    const quitterRequest = (await requestsIn(container)).find((r) => r.personId === quitter!.aadObjectId)!;
    assert.equal(quitterRequest.status, "pending");
    assert.ok(quitterRequest.card, "the request's card is in the admins channel");
    const stored = (await stores.people.get(handDisabled!.aadObjectId))!;
    await app.services.setPersonEnabled({
      actor: { objectId: admin.aadObjectId, directoryId: DIRECTORY, name: admin.name, upn: null, email: null },
      personId: handDisabled!.aadObjectId,
      etag: stored.etag,
      enabled: false,
      reason: "On leave",
    });
    sink.sent.length = 0;

    graph.updateUser(DIRECTORY, leaver!.aadObjectId, { accountEnabled: false });
    graph.removeUser(DIRECTORY, quitter!.aadObjectId, "changed");
    graph.updateUser(DIRECTORY, handDisabled!.aadObjectId, { accountEnabled: false });
    graph.updateUser(DIRECTORY, bystander!.aadObjectId, { displayName: "Still Here" });
    const [run] = await sync();
    assert.equal(run!.outcome, "synced");
    assert.equal(run!.offboarded, 3);

    const left = (await personOf(leaver!.aadObjectId))!;
    assert.equal(left.enabled, false);
    assert.equal(left.assignment, null, "access removed at once");
    assert.equal(left.disabledByDirectory?.reason, "disabled");
    const gone = (await personOf(quitter!.aadObjectId))!;
    assert.equal(gone.enabled, false);
    assert.equal(gone.pendingRequest, null);
    assert.equal(gone.disabledByDirectory?.reason, "deleted");
    const closed = (await requestsIn(container)).find((r) => r.id === quitterRequest.id) as AccessRequest;
    assert.equal(closed.status, "cancelled");
    assert.equal(closed.decision?.by.personId, "system");
    assert.ok(
      sink
        .cardUpdates(ADMIN_CHANNEL)
        .some((s) => /Closed: the requester was offboarded/.test(textOf(s)) && /deleted in Entra ID/.test(textOf(s))),
      "the request's card says it was closed and why",
    );
    const still = (await personOf(handDisabled!.aadObjectId))!;
    assert.equal(still.enabled, false);
    assert.equal(still.assignment, null, "a person an admin disabled loses the access too");
    assert.equal(still.disabledByDirectory ?? null, null, "but stays the admin's disable");
    assert.equal((await personOf(bystander!.aadObjectId))!.name, "Still Here");

    const disabled = (await auditIn(container, "person.disabled")).filter((e) => e.actor.personId === "system");
    assert.deepEqual(disabled.map((e) => e.subject.id).sort(), [leaver!.aadObjectId, quitter!.aadObjectId].sort());
    assert.ok(disabled.every((e) => e.tenantId === "msp" && /Entra ID/.test(e.reason ?? "")));
    const leaverEvent = disabled.find((e) => e.subject.id === leaver!.aadObjectId)!;
    assert.equal((leaverEvent.before as { assignment: { role: string } }).assignment.role, "msp-user");
    const revoked = await auditIn(container, "assignment.revoked");
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]!.subject.id, handDisabled!.aadObjectId);
    assert.equal(revoked[0]!.tenantId, "msp");
    const cancelled = await auditIn(container, "request.cancelled");
    assert.equal(cancelled.length, 1);
    assert.equal(cancelled[0]!.actor.personId, "system");
    assert.equal(cancelled[0]!.tenantId, "msp");

    assert.equal(notes().length, 1, "one note for the run, not one per person");
    const note = textOf(notes()[0]!);
    assert.match(note, /Directory sync offboarded 3 people/);
    assert.match(note, new RegExp(`${leaver!.name}.*account disabled in Entra ID · lost MSP User`));
    assert.match(note, new RegExp(`${quitter!.name}.*account deleted in Entra ID · waiting request closed`));
    assert.doesNotMatch(note, /Still Here/);

    // The People tab shows where the person came from and why they are disabled.
    const token = await issuer.token({ objectId: admin.aadObjectId, directoryId: DIRECTORY }, AUDIENCE);
    const view = async (id: string) =>
      (
        (await (
          await fetch(`${app.url}/api/people/${id}`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { person: { source: string; status: string; disabledInDirectory: string | null } }
      ).person;
    const shown = await view(leaver!.aadObjectId);
    assert.equal(shown.source, "self-registration");
    assert.equal(shown.status, "disabled");
    assert.equal(shown.disabledInDirectory, "disabled");
    assert.equal((await view(bystander!.aadObjectId)).source, "entra");

    // Offboarded people can do nothing any more.
    assert.doesNotMatch(await invoke(leaver!, "submitRequest", { justification: "again" }), /Request sent/);

    // Run again: nothing new, nothing written, no second note.
    const before = await stateOf();
    const [again] = await sync();
    assert.equal(again!.offboarded, 0);
    assert.deepEqual(await stateOf(), before);
    assert.equal(notes().length, 1);

    // Enabled again in Entra: the person the sync disabled may use the app again, without access.
    graph.updateUser(DIRECTORY, leaver!.aadObjectId, { accountEnabled: true });
    graph.updateUser(DIRECTORY, handDisabled!.aadObjectId, { accountEnabled: true });
    const [back] = await sync();
    assert.equal(back!.reenabled, 1);
    const returned = (await personOf(leaver!.aadObjectId))!;
    assert.equal(returned.enabled, true);
    assert.equal(returned.assignment, null, "no access comes back by itself");
    assert.equal(returned.disabledByDirectory, null);
    assert.equal((await personOf(handDisabled!.aadObjectId))!.enabled, false, "an admin's disable stands");
    const enabled = (await auditIn(container, "person.enabled")).filter((e) => e.actor.personId === "system");
    assert.equal(enabled.length, 1);
    assert.match(enabled[0]!.reason ?? "", /not given back/);
    assert.equal(enabled[0]!.tenantId, "msp");
    assert.match(textOf(notes().at(-1)!), /account enabled again in Entra ID; no access given back/);
  });

  it("an account listed in INITIAL_ADMINS by UPN is enrolled as an MSP Admin, as on first contact", async () => {
    seedDirectory();
    const listed = colleagues[3]!;
    await start({ INITIAL_ADMINS: `${INITIAL_ADMIN},${account(listed).userPrincipalName.toUpperCase()}` });
    await sync();
    const p = (await personOf(listed.aadObjectId))!;
    assert.equal(p.source, "initial-admin");
    assert.equal(p.assignment?.role, "msp-admin");
    assert.equal((await personOf(colleagues[4]!.aadObjectId))!.assignment, null, "the others are found, not granted");
    const registered = (await auditIn(container, "person.registered")).find((e) => e.personId === listed.aadObjectId)!;
    assert.equal(registered.reason, "Listed in INITIAL_ADMINS");
  });

  it("one note for many: the first twenty named, the rest counted", async () => {
    seedDirectory();
    const many = Array.from({ length: 23 }, (_, i) => person(300 + i));
    for (const m of many) graph.addUser(DIRECTORY, account(m));
    await start();
    await seedAdmin();
    await sync();
    for (const m of many) graph.updateUser(DIRECTORY, m.aadObjectId, { accountEnabled: false });
    const [run] = await sync();
    assert.equal(run!.offboarded, 23);
    assert.equal(notes().length, 1);
    const note = textOf(notes()[0]!);
    assert.match(note, /Directory sync offboarded 23 people/);
    assert.match(note, /… and 3 more: see the Audit page/);
    assert.equal((await auditIn(container, "person.disabled")).length, 23);
  });

  it("a wrong secret is refused by Entra: the failure is logged (never the secret) and nothing changes", async () => {
    seedDirectory();
    await start({ GRAPH_CLIENT_SECRET: "not-the-secret" });
    const before = await stateOf();
    const [run] = await sync();
    assert.equal(run!.outcome, "failed");
    assert.match(run!.failure ?? "", /AADSTS7000215: Invalid client secret provided/);
    assert.deepEqual(await stateOf(), before, "nobody created or changed");
    assert.equal(graph.calls.length, 0, "Graph was never asked");
    assert.ok(entra.tokenRequests.some((t) => !t.granted && t.clientId === CLIENT_ID));
    const logged = logLines().find((l) => l.msg?.toString().startsWith("directory sync failed"));
    assert.ok(logged, "the failure is logged");
    assert.equal(logged!.directoryId, DIRECTORY);
    assert.match(String(logged!.failure), /AADSTS7000215/);
    const log = readFileSync(join(RESULTS_DIR, LOG), "utf8");
    assert.ok(!log.includes("not-the-secret") && !log.includes(SECRET), "no secret in the logs");
    const state = (await stores.settings.getDirectorySync(DIRECTORY))!;
    assert.equal(state.deltaLink, null);
    assert.match(state.lastFailure ?? "", /AADSTS7000215/);
  });

  it("a directory that cannot be read does not stop the others", async () => {
    seedDirectory();
    graph.addUser(SECOND_DIRECTORY, account(person(400)));
    await start({ ALLOWED_DIRECTORY_IDS: `${DIRECTORY},${SECOND_DIRECTORY}` });
    const results = await sync();
    const byId = new Map(results.map((r) => [r.directoryId, r]));
    assert.equal(byId.get(SECOND_DIRECTORY)!.outcome, "failed");
    assert.match(byId.get(SECOND_DIRECTORY)!.failure ?? "", /AADSTS700016/);
    assert.equal(byId.get(DIRECTORY)!.outcome, "synced");
    assert.ok(await personOf(colleagues[0]!.aadObjectId), "the consented directory was read");
    assert.equal(await personOf(person(400).aadObjectId), undefined);
    assert.ok(
      logLines().some((l) => l.directoryId === SECOND_DIRECTORY && /AADSTS700016/.test(String(l.failure))),
      "the failing directory is logged",
    );
  });

  it("throttling (429 with Retry-After) is waited out and retried; an outage beyond the retries is left for the next run", async () => {
    seedDirectory();
    await start();
    graph.failures.push({ status: 429, retryAfter: "1" }, { status: 503, retryAfter: "0" });
    const [run] = await sync();
    assert.equal(run!.outcome, "synced");
    assert.deepEqual(
      graph.calls.slice(0, 3).map((c) => c.status),
      [429, 503, 200],
    );
    assert.ok(await personOf(colleagues[9]!.aadObjectId));

    graph.updateUser(DIRECTORY, colleagues[2]!.aadObjectId, { displayName: "Renamed Later" });
    const link = (await stores.settings.getDirectorySync(DIRECTORY))!.deltaLink;
    for (let i = 0; i < 5; i++) graph.failures.push({ status: 503, retryAfter: "0" });
    const [down] = await sync();
    assert.equal(down!.outcome, "failed");
    assert.match(down!.failure ?? "", /503 .*after 5 attempts/);
    assert.equal((await stores.settings.getDirectorySync(DIRECTORY))!.deltaLink, link, "the bookmark stays");
    const [next] = await sync();
    assert.equal(next!.outcome, "synced");
    assert.equal((await personOf(colleagues[2]!.aadObjectId))!.name, "Renamed Later");
  });

  it("an expired delta token (410 Gone) restarts the directory from a full read, without duplicates; accounts deleted meanwhile are offboarded", async () => {
    seedDirectory();
    await start();
    await seedAdmin();
    const [kept, deletedMeanwhile] = colleagues;
    await ask(deletedMeanwhile!, "Covering");
    await approve(deletedMeanwhile!);
    await sync();
    const people = async () =>
      (await container.items.query<{ id: string }>("SELECT c.id FROM c WHERE c.type = 'person'").fetchAll()).resources
        .map((r) => r.id)
        .sort();
    const before = await people();

    graph.expireDeltaTokens(DIRECTORY);
    graph.updateUser(DIRECTORY, kept!.aadObjectId, { displayName: "Kept Renamed" });
    // Deleted while the token was expired: a full read no longer lists the account at all.
    graph.removeUser(DIRECTORY, deletedMeanwhile!.aadObjectId);
    const [run] = await sync();
    assert.equal(run!.outcome, "synced");
    assert.equal(run!.full, true);
    assert.ok(graph.calls.some((c) => c.status === 410));
    assert.deepEqual(await people(), before, "no person twice, none lost");
    assert.equal((await personOf(kept!.aadObjectId))!.name, "Kept Renamed");
    const gone = (await personOf(deletedMeanwhile!.aadObjectId))!;
    assert.equal(gone.enabled, false);
    assert.equal(gone.assignment, null);
    assert.equal(
      (await auditIn(container, "person.registered")).filter((e) => e.actor.personId === "system").length,
      10,
    );

    const state = await stateOf();
    const [again] = await sync();
    assert.equal(again!.full, false, "the new delta link is used");
    assert.deepEqual(await stateOf(), state);
  });

  it("two instances syncing at once offboard a person once, with one audit event and one note", async () => {
    seedDirectory();
    await start();
    await seedAdmin();
    const first = app;
    const database = (await container.database.read()).resource!.id;
    const leaver = colleagues[4]!;
    await ask(leaver, "Shifts");
    await approve(leaver);
    await sync();
    graph.updateUser(DIRECTORY, leaver.aadObjectId, { accountEnabled: false });
    const second = await startApiApp(
      issuer,
      {
        ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
        GOVERNANCE_EVERY_SECONDS: "86400",
        GRAPH_CLIENT_ID: CLIENT_ID,
        GRAPH_CLIENT_SECRET: SECRET,
        GRAPH_ENDPOINT: graph.url,
        ENTRA_AUTHORITY_HOST: entra.url,
        GRAPH_CA_FILE: caFile,
      },
      { clock, logFile: LOG, database },
    );
    try {
      sink.sent.length = 0;
      await Promise.all([first.services.syncDirectories(), second.app.services.syncDirectories()]);
      await Promise.all([first.idle(), second.app.idle()]);
    } finally {
      await second.app.close();
    }
    const p = (await personOf(leaver.aadObjectId))!;
    assert.equal(p.enabled, false);
    assert.equal(p.assignment, null);
    const events = (await auditIn(container, "person.disabled")).filter((e) => e.subject.id === leaver.aadObjectId);
    assert.equal(events.length, 1);
    const mentions = notes().filter((s) => textOf(s).includes(leaver.name));
    assert.equal(mentions.length, 1, "the person is named in one note");
  });
});
