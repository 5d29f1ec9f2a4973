import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { DIRECTORY, startApiApp } from "../helpers/api-app.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { embeddedCosmos } from "../helpers/cosmos.js";
import { FaultProxy } from "../helpers/fault-proxy.js";
import { ADMIN_CHANNEL, auditIn, eventually, person, requestsIn } from "../helpers/reliability.js";
import { report } from "../helpers/reliability-ledger.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const MEGAN: Who = { id: "29:megan", aadObjectId: "22222222-2222-4222-8222-222222222222", name: "Megan Bowen" };
/** Teams gives up on a card action after about 5 s; the bot answers within 4. */
const BUDGET_MS = 5_000;

/**
 * Faults on both sides: a proxy between the bot and Cosmos DB injects throttling, 503, 408, dropped
 * connections and latency; the stand-in Teams connector answers 429, 502 and 504, or is down.
 */
describe("reliability: store faults and Teams faults", function () {
  this.timeout(240_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let proxy: FaultProxy;
  let app: StartedApp | undefined;
  let stores: CosmosStores;
  let container: Container;
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });
  const cardPosts = () => sink.cardPosts(ADMIN_CHANNEL);
  const noticesTo = (who: Who) => sink.decisionNoticesTo(`a:personal-${who.id}`);

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
    proxy = await FaultProxy.start((await embeddedCosmos()).endpoint);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close(), proxy?.close()]);
  });
  beforeEach(async () => {
    sink.sent.length = 0;
    sink.failures.length = 0;
    proxy.faultRate = 0;
    proxy.latencyMs = 0;
    ({ app, stores, container } = await startApiApp(
      issuer,
      {
        ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
        COSMOS_ENDPOINT: proxy.url,
        REQUEST_LIMIT_PER_HOUR: "1000",
        TEAMS_DELIVERY_MAX_WAIT_MS: "3000",
      },
      { reconcileEveryMs: 500 },
    ));
  });
  afterEach(async () => {
    proxy.faultRate = 0;
    proxy.latencyMs = 0;
    await app?.close();
    app = undefined;
  });

  /** Clicks, timing the answer; a "try again" is retried like a person would, until it goes through. */
  const act = async (activity: () => unknown, done: RegExp, timings: number[]) => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const started = Date.now();
      const reply = await postActivity(app!.url, activity());
      timings.push(Date.now() - started);
      const text = JSON.stringify(reply.body);
      assert.ok(reply.status < 500, `status ${reply.status}`);
      if (done.test(text)) return attempt;
      assert.match(text, /Try again|Not done/, text.slice(0, 300));
    }
    throw new Error("never went through");
  };

  it("with 30% of store calls failing, every action completes or says try again within the budget, and nothing is lost or doubled", async () => {
    const people = Array.from({ length: 12 }, (_, i) => person(200 + i));
    await stores.people
      .create({
        ...(await import("../helpers/builders.js")).aPerson({
          personId: MEGAN.aadObjectId,
          directoryId: DIRECTORY,
          name: "Megan Bowen",
          homeTenantId: "msp",
        }),
        assignment: {
          role: "msp-admin",
          tenantAccess: { kind: "all" },
          expiresAt: null,
          grantedBy: { personId: "system", name: "seed" },
          grantedAt: "2026-01-01T00:00:00.000Z",
          justification: null,
          requestId: null,
        },
      })
      .catch(() => undefined);
    proxy.faultRate = 0.3;
    const timings: number[] = [];
    let retries = 0;
    for (const who of people) {
      retries +=
        (await act(
          () => activities.invoke(from(who), "submitRequest", { justification: `I am ${who.name}` }, "personal"),
          /Request sent|already have a request/,
          timings,
        )) - 1;
    }
    await eventually(
      "every request stored",
      async () => (await requestsIn(container)).length === people.length,
      60_000,
    );
    for (const r of await requestsIn(container)) {
      retries +=
        (await act(
          () =>
            activities.invoke(from(MEGAN), "approveRequest", {
              requestId: r.id,
              role: "msp-user",
              tenantAccess: "all",
              expiry: "never",
            }),
          /Approved by/,
          timings,
        )) - 1;
    }
    const injected = proxy.totalInjected;
    proxy.faultRate = 0;
    // With the store healthy again, the reconciler finishes what the faults interrupted.
    await eventually(
      "every decision finished",
      async () => (await requestsIn(container)).every((r) => r.status === "approved" && !r.unfinished && r.card),
      90_000,
    );
    await eventually("every notice", () => people.every((p) => noticesTo(p).length >= 1), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    await app!.idle();
    const requests = await requestsIn(container);
    const audits = await auditIn(container, "request.approved");
    const notices = people.map((p) => noticesTo(p).length);
    const cards = cardPosts().map((p) => JSON.stringify(p.body).match(/"title":"Object id","value":"([^"]+)"/)?.[1]);
    for (const r of requests) {
      const person = (await stores.people.get(r.personId))!.value;
      assert.equal(person.assignment?.requestId, r.id, "assignment applied");
      assert.equal(person.pendingRequest, null);
    }
    assert.equal(requests.length, people.length);
    assert.equal(audits.length, people.length, "one audit event per decision");
    assert.deepEqual(
      notices,
      people.map(() => 1),
      "each requester told once",
    );
    assert.equal(new Set(cards).size, people.length);
    assert.equal(cards.length, people.length, "each card posted once");
    const slowest = Math.max(...timings);
    assert.ok(slowest < BUDGET_MS, `every answer within the budget (slowest ${slowest} ms)`);
    report(
      "30% store faults",
      {
        actions: timings.length,
        "faults injected": injected,
        "retries by people": retries,
        decisions: audits.length,
        notices: notices.reduce((a, b) => a + b, 0),
        cards: cards.length,
        "slowest answer ms": slowest,
      },
      people.length - audits.length,
      cards.length - new Set(cards).size + notices.filter((n) => n > 1).length,
    );
  });

  it("with 20 s of store latency the click is answered within the budget, and nothing applies twice once the store recovers", async () => {
    const requester = person(300);
    await postActivity(
      app!.url,
      activities.invoke(from(requester), "submitRequest", { justification: "latency" }, "personal"),
    );
    const [request] = await requestsIn(container);
    proxy.latencyMs = 20_000;
    const started = Date.now();
    const slow = await postActivity(
      app!.url,
      activities.invoke(from(MEGAN), "approveRequest", {
        requestId: request!.id,
        role: "msp-user",
        tenantAccess: "all",
        expiry: "never",
      }),
    );
    const elapsed = Date.now() - started;
    assert.match(JSON.stringify(slow.body), /Try again/);
    assert.ok(elapsed < BUDGET_MS, `answered in ${elapsed} ms`);
    proxy.latencyMs = 0;
    // The person tries again; whichever attempt commits, there is one decision.
    await eventually(
      "the retry goes through",
      async () =>
        /Approved by/.test(
          JSON.stringify(
            (
              await postActivity(
                app!.url,
                activities.invoke(from(MEGAN), "approveRequest", {
                  requestId: request!.id,
                  role: "msp-user",
                  tenantAccess: "all",
                  expiry: "never",
                }),
              )
            ).body,
          ),
        ),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 21_000)); // the slow first attempt reaches the store now
    await eventually("finished", async () => !(await requestsIn(container))[0]!.unfinished, 30_000);
    await app!.idle();
    const audits = await auditIn(container, "request.approved");
    assert.equal(audits.length, 1);
    assert.equal(noticesTo(requester).length, 1);
    report(
      "20 s store latency",
      { "answer ms": elapsed, decisions: audits.length, notices: noticesTo(requester).length },
      1 - audits.length,
      audits.length - 1 + noticesTo(requester).length - 1,
    );
  });

  it("Teams answering 429 with Retry-After, 502 and 504: each message is retried and delivered once", async () => {
    sink.failures.push({ status: 429, headers: { "retry-after": "1" } }, { status: 502 }, { status: 504 });
    const requester = person(400);
    const attemptsBefore = sink.attempts;
    await postActivity(
      app!.url,
      activities.invoke(from(requester), "submitRequest", { justification: "a throttled card" }, "personal"),
    );
    await eventually("the card", () => cardPosts().length === 1, 30_000);
    await app!.idle();
    assert.equal(cardPosts().length, 1);
    assert.equal(sink.failures.length, 0, "all three failures were met");
    report(
      "Teams 429/502/504 on a card",
      { "attempts at Teams": sink.attempts - attemptsBefore, delivered: cardPosts().length },
      1 - cardPosts().length,
      cardPosts().length - 1,
    );
  });

  it("Teams unreachable: the notice is re-driven after a restart and delivered once", async () => {
    const requester = person(500);
    await postActivity(
      app!.url,
      activities.invoke(from(requester), "submitRequest", { justification: "Teams is down" }, "personal"),
    );
    await eventually("the card", () => cardPosts().length === 1);
    const [request] = await requestsIn(container);
    for (let i = 0; i < 200; i++) sink.failures.push({ status: 503 });
    await postActivity(
      app!.url,
      activities.invoke(from(MEGAN), "approveRequest", {
        requestId: request!.id,
        role: "msp-user",
        tenantAccess: "all",
        expiry: "never",
      }),
    );
    await app!.idle();
    assert.equal(noticesTo(requester).length, 0, "not delivered while Teams is down");
    const { database } = { database: (container as unknown as { database: { id: string } }).database.id };
    await app!.close();
    sink.failures.length = 0;
    ({ app } = await startApiApp(
      issuer,
      { ADMIN_CHANNEL_ID: ADMIN_CHANNEL, COSMOS_ENDPOINT: proxy.url, REQUEST_LIMIT_PER_HOUR: "1000" },
      { database, reconcileEveryMs: 500 },
    ));
    await eventually("the notice after the restart", () => noticesTo(requester).length >= 1, 90_000).catch(
      async (e: Error) => {
        // Say what the request looked like, to tell a lease from a lost message.
        const [stuck] = await requestsIn(container);
        throw new Error(
          `${e.message}: ${JSON.stringify({ status: stuck?.status, followUps: stuck?.followUps, leases: stuck?.leases, unfinished: stuck?.unfinished, attempts: sink.attempts })}`,
        );
      },
    );
    await new Promise((r) => setTimeout(r, 2000));
    await app!.idle();
    assert.equal(noticesTo(requester).length, 1);
    report(
      "Teams down, then a restart",
      { restarts: 1, notices: noticesTo(requester).length },
      1 - noticesTo(requester).length,
      noticesTo(requester).length - 1,
    );
  });
});
