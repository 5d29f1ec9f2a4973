import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Container } from "@azure/cosmos";
import { connectContainer } from "../../src/store/cosmos-container.js";
import { createCosmosStores, type CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { DIRECTORY } from "../helpers/api-app.js";
import { startBotProcess, type BotProcess } from "../helpers/bot-process.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { embeddedCosmos } from "../helpers/cosmos.js";
import { FaultProxy } from "../helpers/fault-proxy.js";
import { freePort } from "../helpers/net.js";
import { report } from "../helpers/reliability-ledger.js";
import { ADMIN_CHANNEL, auditIn, eventually, person, requestsIn } from "../helpers/reliability.js";

const MEGAN: Who = { id: "29:megan", aadObjectId: "22222222-2222-4222-8222-222222222222", name: "Megan Bowen" };
const ALEX: Who = { id: "29:alex", aadObjectId: "33333333-3333-4333-8333-333333333333", name: "Alex Wilber" };

/**
 * The bot as real processes (as App Service runs it), sharing one Cosmos DB: a crash right after a
 * decision commits, two instances at once, and a graceful shutdown with a turn in flight.
 */
describe("reliability: crashes, two instances and shutdown (bot processes)", function () {
  this.timeout(180_000);
  let sink: ConnectorSink;
  let endpoint: string;
  let database: string;
  let container: Container;
  let stores: CosmosStores;
  const processes: BotProcess[] = [];
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });

  const settings = (extra: Record<string, string> = {}) => ({
    COSMOS_ENDPOINT: endpoint,
    COSMOS_KEY: "embedded-local-key",
    COSMOS_DATABASE: database,
    ALLOWED_DIRECTORY_IDS: DIRECTORY,
    INITIAL_ADMINS: `${MEGAN.aadObjectId},${ALEX.aadObjectId}`,
    ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
    REQUEST_LIMIT_PER_HOUR: "1000",
    RECONCILE_EVERY_SECONDS: "1",
    ...extra,
  });
  const start = async (name: string, extra: Record<string, string> = {}) => {
    const bot = await startBotProcess(name, await freePort(), settings(extra));
    processes.push(bot);
    return bot;
  };
  const cardPosts = () => sink.cardPosts(ADMIN_CHANNEL);
  const cardUpdates = () => sink.cardUpdates(ADMIN_CHANNEL);
  const noticesTo = (who: Who) => sink.decisionNoticesTo(`a:personal-${who.id}`);

  before(async () => {
    sink = await ConnectorSink.start();
    endpoint = (await embeddedCosmos()).endpoint;
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop("SIGKILL")));
    await sink?.close();
  });
  beforeEach(async () => {
    sink.sent.length = 0;
    database = `proc-${randomUUID()}`;
    ({ container } = await connectContainer({
      endpoint,
      key: "embedded-local-key",
      database,
      container: "access-desk",
    }));
    stores = createCosmosStores(container);
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop("SIGKILL")));
  });

  it("a crash right after a decision commits: the assignment and audit event committed with it; after the restart the card update and notice happen once", async () => {
    const first = await start("crash-1", { CRASH_POINT: "after-decision-commit" });
    const requester = person(7);
    await postActivity(
      first.url,
      activities.invoke(from(requester), "submitRequest", { justification: "before the crash" }, "personal"),
    );
    await eventually("the card", () => cardPosts().length === 1);
    const [request] = await requestsIn(container);
    const click = postActivity(
      first.url,
      activities.invoke(from(MEGAN), "approveRequest", {
        requestId: request!.id,
        role: "msp-user",
        tenantAccess: "all",
        expiry: "never",
      }),
    ).catch((e: Error) => e);
    const exit = await first.exited;
    assert.equal(exit.signal, "SIGKILL", "the process died at the crash point");
    assert.ok((await click) instanceof Error, "the click got no answer");
    const committed = (await requestsIn(container))[0]!;
    assert.equal(committed.status, "approved", "the decision had committed");
    // The decision, the assignment and the audit event are one transaction: all of them are there.
    assert.equal((await stores.people.get(requester.aadObjectId))!.value.assignment?.requestId, request!.id);
    assert.equal((await auditIn(container, "request.approved")).length, 1);
    assert.deepEqual(
      { notices: noticesTo(requester).length, cardUpdates: cardUpdates().length, unfinished: committed.unfinished },
      { notices: 0, cardUpdates: 0, unfinished: true },
      "the telling had not happened",
    );

    const second = await start("crash-2");
    await eventually("the notice after the restart", () => noticesTo(requester).length >= 1);
    await eventually("the card update", () => cardUpdates().length >= 1);
    await eventually("the request finished", async () => !(await requestsIn(container))[0]!.unfinished);
    await second.stop();
    // A third start finds nothing left to do and sends nothing again.
    const third = await start("crash-3");
    await new Promise((r) => setTimeout(r, 1500));
    await third.stop();
    const assignment = (await stores.people.get(requester.aadObjectId))!.value.assignment;
    assert.equal(assignment?.requestId, request!.id);
    assert.equal((await auditIn(container, "request.approved")).length, 1);
    assert.equal(noticesTo(requester).length, 1);
    assert.equal(cardUpdates().length, 1);
    report(
      "crash after commit, then two restarts",
      {
        crashes: 1,
        restarts: 2,
        assignments: 1,
        "audit events": 1,
        "card updates": cardUpdates().length,
        notices: noticesTo(requester).length,
      },
      0,
      noticesTo(requester).length - 1 + cardUpdates().length - 1,
    );
  });

  it("two instances on one store: a request filed on one is approved on the other; concurrent approvals across both decide once", async () => {
    const [a, b] = await Promise.all([start("instance-a"), start("instance-b")]);
    const one = person(8);
    await postActivity(
      a!.url,
      activities.invoke(from(one), "submitRequest", { justification: "filed on A" }, "personal"),
    );
    const [request] = await requestsIn(container);
    const answer = await postActivity(
      b!.url,
      activities.invoke(from(MEGAN), "approveRequest", {
        requestId: request!.id,
        role: "msp-user",
        tenantAccess: "all",
        expiry: "never",
      }),
    );
    assert.match(JSON.stringify(answer.body), /"Approved by","value":"Megan Bowen"/);
    await eventually("the notice", () => noticesTo(one).length === 1);

    const two = person(9);
    await postActivity(
      b!.url,
      activities.invoke(from(two), "submitRequest", { justification: "filed on B" }, "personal"),
    );
    const second = (await requestsIn(container)).find((r) => r.personId === two.aadObjectId)!;
    const clicks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postActivity(
          (i % 2 ? a : b)!.url,
          activities.invoke(from(i % 4 < 2 ? MEGAN : ALEX), "approveRequest", {
            requestId: second.id,
            role: "customer-user",
            tenantAccess: "msp",
            expiry: "7d",
          }),
        ),
      ),
    );
    const winners = clicks.filter(
      (c) => /Approved by/.test(JSON.stringify(c.body)) && !/Already/.test(JSON.stringify(c.body)),
    ).length;
    assert.equal(winners, 1);
    await eventually("the second notice", () => noticesTo(two).length >= 1);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(noticesTo(two).length, 1);
    assert.equal((await auditIn(container, "request.approved")).length, 2);
    assert.equal(cardPosts().length, 2);
    const lease = (await container.items.query("SELECT * FROM c WHERE c.personId = '_leases'").fetchAll()).resources;
    assert.equal(lease.length, 1, "the scheduled reconciler shares one lease");
    report(
      "two instances, 10 concurrent approvals across both",
      { instances: 2, clicks: 10, decisions: winners, notices: noticesTo(two).length, cards: cardPosts().length },
      0,
      winners - 1 + noticesTo(two).length - 1,
    );
  });

  it("SIGTERM: stops accepting, finishes the turn in flight, exits 0", async () => {
    const proxy = await FaultProxy.start(endpoint);
    const bot = await start("shutdown", { COSMOS_ENDPOINT: proxy.url });
    proxy.latencyMs = 600;
    const inFlight = postActivity(
      bot.url,
      activities.invoke(from(person(10)), "submitRequest", { justification: "slow store" }, "personal"),
    );
    await new Promise((r) => setTimeout(r, 300));
    bot.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const refused = await fetch(`${bot.url}/healthz`).then(
      () => false,
      () => true,
    );
    const answer = await inFlight;
    const exit = await bot.exited;
    await proxy.close();
    assert.equal(answer.status, 200, "the turn in flight was answered");
    assert.match(JSON.stringify(answer.body), /Request sent|Try again/);
    assert.equal(refused, true, "no new connections after SIGTERM");
    assert.equal(exit.code, 0);
    report(
      "graceful shutdown with a turn in flight",
      { "turns in flight": 1, answered: answer.status === 200 ? 1 : 0, "exit code": exit.code ?? -1 },
      answer.status === 200 ? 0 : 1,
      0,
    );
  });
});
