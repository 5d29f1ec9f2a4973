import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import type { Person } from "../../src/domain/person.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { DirectoryDemo } from "../../scripts/local/directory-demo.js";
import { readPlaygroundConfig, type MockUser } from "../../scripts/local/playground.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { snapshot, startApiApp } from "../helpers/api-app.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { RESULTS_DIR } from "../helpers/local-stack.js";
import { ADMIN_CHANNEL, auditIn, requestsIn } from "../helpers/reliability.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

/** A clock the test moves by hand. */
class TestClock {
  constructor(private at: number) {}
  now = () => new Date(this.at);
  advance(ms: number) {
    this.at += ms;
  }
}

/**
 * `npm start -- --directory`: the stand-ins and the bot settings start-local uses, with the real app
 * in-process (its own schedule, the production Graph client and credential, the embedded store); the
 * directory is changed only through the demo's HTTP endpoints, as the person running the demo does.
 */
describe("governance: directory sync demo in local mode (npm start -- --directory)", function () {
  this.timeout(120_000);
  const mock = readPlaygroundConfig();
  const byName = (name: string): Who => {
    const u = [mock.currentUser, ...mock.users].find((m: MockUser) => m.name === name)!;
    return { id: u.id, name: u.name, aadObjectId: u.aadObjectId };
  };
  const megan = byName("Megan Bowen");
  const adele = byName("Adele Vance");
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let demo: DirectoryDemo;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  let clock: TestClock;
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: mock.tenantId, botId: "28:access-desk", from: who });
  const textOf = (s: { body: unknown }) => JSON.stringify(s.body);
  const notes = () => sink.messagesTo(ADMIN_CHANNEL).filter((s) => /Directory sync/.test(textOf(s)));
  const personOf = async (id: string) => (await stores.people.get(id))?.value as Person | undefined;
  const invoke = async (who: Who, verb: string, data: unknown, scope: "personal" | "channel" = "personal") =>
    JSON.stringify((await postActivity(app.url, activities.invoke(from(who), verb, data, scope))).body);
  /** A call to the demo's control API, as the printed curl lines make it. */
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${demo.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : {
            headers: { "content-type": "application/json" },
            body: typeof body === "string" ? body : JSON.stringify(body),
          }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Waits (polling) until `check` holds: the scheduled sync runs in the background. */
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`never happened: ${what}`);
  };

  const start = async (options: { scheduled: boolean }) => {
    ({ app, stores, container } = await startApiApp(
      issuer,
      {
        ALLOWED_DIRECTORY_IDS: mock.tenantId,
        ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
        GOVERNANCE_EVERY_SECONDS: "86400",
        ...demo.botEnv,
      },
      { clock, logFile: "directory-demo.log", ...(options.scheduled ? { directorySyncTickMs: 200 } : {}) },
    ));
    // Megan, an initial admin, has talked to the bot: the admins channel can be reached.
    await postActivity(app.url, activities.message(from(megan), "help"));
    await app.idle();
  };

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
    mkdirSync(RESULTS_DIR, { recursive: true });
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(async () => {
    demo = await DirectoryDemo.start({ playground: mock, caFile: join(RESULTS_DIR, "directory-demo-ca.pem") });
    sink.sent.length = 0;
    clock = new TestClock(Date.parse("2026-12-07T08:00:00.000Z"));
  });
  afterEach(async () => {
    await app?.close();
    await demo?.close();
  });

  it("the bot syncs the Playground's people on its own schedule; a disable through the demo endpoint is picked up at the next minute: access removed, the admins told", async () => {
    assert.equal(demo.botEnv.DIRECTORY_SYNC_EVERY_MINUTES, "1");
    await start({ scheduled: true });
    const lastSync = async () => (await stores.settings.getDirectorySync(demo.directoryId))?.lastSuccessAt ?? null;
    await eventually("the first sync", async () => (await lastSync()) !== null);
    const first = await lastSync();
    for (const u of [mock.currentUser, ...mock.users]) {
      const p = (await personOf(u.aadObjectId))!;
      assert.equal(p.name, u.name, "the same people as the Playground");
      assert.equal(p.upn, u.userPrincipleName);
      assert.equal(p.directoryId, mock.tenantId);
      assert.equal(p.enabled, true);
    }
    assert.equal((await personOf(adele.aadObjectId))!.source, "entra");

    // Adele asks in her chat, Megan approves on the card.
    assert.match(await invoke(adele, "submitRequest", { justification: "Service desk shifts" }), /Request sent/);
    await app.idle();
    const request = (await requestsIn(container)).find((r) => r.personId === adele.aadObjectId)!;
    const approved = await invoke(
      megan,
      "approveRequest",
      { requestId: request.id, role: "msp-user", tenantAccess: "all", expiry: "never" },
      "channel",
    );
    assert.match(approved, /Approved/);
    await app.idle();
    assert.equal((await personOf(adele.aadObjectId))!.assignment?.role, "msp-user");

    // The person running the demo disables Adele's account, as the printed curl line does.
    const disabled = await control("POST", `/demo/users/${mock.currentUser.userPrincipleName}/disable`);
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.accountEnabled, false);
    assert.equal(disabled.body.id, adele.aadObjectId);

    // The next look of the schedule, a moment short of a minute later (timers vary), syncs again.
    clock.advance(60_000 - 1_000);
    // The run has ended once its note is in the admins channel (posted after every directory is read).
    await eventually("the note in the admins channel", async () => notes().length > 0);
    assert.notEqual(await lastSync(), first, "a second run");
    await app.idle();
    const left = (await personOf(adele.aadObjectId))!;
    assert.equal(left.assignment, null, "access removed");
    assert.equal(left.disabledByDirectory?.reason, "disabled");
    const audit = (await auditIn(container, "person.disabled")).filter((e) => e.subject.id === adele.aadObjectId);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor.personId, "system");
    assert.equal(notes().length, 1);
    assert.match(textOf(notes()[0]!), /Adele Vance.*account disabled in Entra ID · lost MSP User/);
  });

  it("the demo endpoints rename, delete, add and enable accounts, and the sync follows; bad requests are refused and change nothing", async () => {
    await start({ scheduled: false });
    const sync = async () => {
      const [result] = await app.services.syncDirectories();
      await app.idle();
      return result!;
    };
    assert.equal((await sync()).accounts, mock.users.length + 1);

    const alex = mock.users.find((u) => u.name === "Alex Wilber")!;
    const patti = mock.users.find((u) => u.name === "Patti Fernandez")!;
    const listed = await control("GET", "/demo/users");
    assert.equal(listed.status, 200);
    assert.equal((listed.body.users as unknown[]).length, mock.users.length + 1);

    // Refusals: each names what is wrong, and the directory and the store stay as they were.
    const directoryBefore = JSON.stringify(demo.accounts());
    const storeBefore = await snapshot(container);
    const refusals: Array<[string, string, unknown, number, RegExp]> = [
      ["POST", "/demo/users/nobody@contoso.example/disable", undefined, 404, /no account nobody@contoso\.example/],
      ["POST", "/demo/users", { displayName: "No UPN" }, 400, /userPrincipalName/],
      ["POST", "/demo/users", { displayName: "Twin", userPrincipalName: alex.userPrincipleName }, 409, /Alex Wilber/],
      ["POST", "/demo/users", "{not json", 400, /not valid JSON/],
      ["PATCH", `/demo/users/${alex.aadObjectId}`, {}, 400, /at least one/],
      ["PATCH", `/demo/users/${alex.aadObjectId}`, { accountEnabled: false }, 400, /Unrecognized key/],
      ["PATCH", `/demo/users/${alex.aadObjectId}`, { userPrincipalName: "not-an-upn" }, 400, /name@domain/],
      ["PATCH", `/demo/users/${alex.aadObjectId}`, { userPrincipalName: patti.userPrincipleName }, 409, /Patti/],
      ["GET", `/demo/users/${alex.aadObjectId}/disable`, undefined, 405, /use POST/],
    ];
    for (const [method, path, body, status, message] of refusals) {
      const answer = await control(method, path, body);
      assert.equal(answer.status, status, `${method} ${path}`);
      assert.match(String(answer.body.error), message, `${method} ${path}`);
    }
    const foreign = await fetch(`${demo.url}/demo/users/${alex.aadObjectId}/disable`, {
      method: "POST",
      headers: { origin: "https://attacker.example" },
    });
    assert.equal(foreign.status, 403, "a web page elsewhere cannot change the directory");
    assert.equal(JSON.stringify(demo.accounts()), directoryBefore);
    assert.equal((await sync()).accounts, 0, "nothing changed in the directory");
    assert.deepEqual(
      (await snapshot(container)).filter((d) => !d.includes("/directory-sync-")),
      storeBefore.filter((d) => !d.includes("/directory-sync-")),
    );

    // Rename Alex, delete Patti, add a newcomer, disable and enable Adele again.
    assert.equal(
      (await control("PATCH", `/demo/users/${alex.userPrincipleName}`, { displayName: "Alex Wilber (Sales)" })).status,
      200,
    );
    assert.equal((await control("DELETE", `/demo/users/${patti.aadObjectId}`)).status, 200);
    const added = await control("POST", "/demo/users", {
      displayName: "Nestor Wilke",
      userPrincipalName: "nestorw@contoso.example",
    });
    assert.equal(added.status, 201);
    const run = await sync();
    assert.equal(run.updated, 1);
    assert.equal(run.offboarded, 1);
    assert.equal(run.created, 1);
    assert.equal((await personOf(alex.aadObjectId))!.name, "Alex Wilber (Sales)");
    const gone = (await personOf(patti.aadObjectId))!;
    assert.equal(gone.enabled, false);
    assert.equal(gone.disabledByDirectory?.reason, "deleted");
    const nestor = (await personOf(String(added.body.id)))!;
    assert.equal(nestor.upn, "nestorw@contoso.example");
    assert.equal(nestor.source, "entra");
    assert.equal(nestor.assignment, null);

    await control("POST", `/demo/users/${adele.aadObjectId}/disable`);
    assert.equal((await sync()).offboarded, 1);
    assert.equal((await control("POST", `/demo/users/${adele.aadObjectId}/enable`)).body.accountEnabled, true);
    assert.equal((await sync()).reenabled, 1);
    assert.equal((await personOf(adele.aadObjectId))!.enabled, true);
    assert.match(textOf(notes().at(-1)!), /Adele Vance.*account enabled again in Entra ID/);
  });
});
