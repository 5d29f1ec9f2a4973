import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { DIRECTORY, startApiApp } from "../helpers/api-app.js";
import { aPerson } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { report } from "../helpers/reliability-ledger.js";
import { ADMIN_CHANNEL, auditIn, eventually, person, requestsIn } from "../helpers/reliability.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

/**
 * Exactly once, under redelivery and races: the real bot in-process, activities posted as the Bot
 * Connector posts them, replies and cards landing in a stand-in connector that counts them.
 */
describe("reliability: every request gets one decision, applied once, told once", function () {
  this.timeout(300_000); // 200 cards into one channel take Teams' pace: about 55 each 30 s
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  const from = (who: Who) => ({ serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: who });

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(async () => {
    sink.sent.length = 0;
    ({ app, stores, container } = await startApiApp(issuer, {
      ADMIN_CHANNEL_ID: ADMIN_CHANNEL,
      API_LIMIT_PER_MINUTE: "100000",
      REQUEST_LIMIT_PER_HOUR: "1000",
    }));
  });
  afterEach(async () => {
    await app?.close();
  });

  const cardPosts = () => sink.cardPosts(ADMIN_CHANNEL);
  const cardUpdates = () => sink.cardUpdates(ADMIN_CHANNEL);
  const noticesTo = (who: Who) => sink.decisionNoticesTo(`a:personal-${who.id}`);
  const makeAdmins = async (count: number) => {
    const admins: Who[] = [];
    for (let i = 1; i <= count; i++) {
      const who = person(i, "b");
      await stores.people.create(
        aPerson({
          personId: who.aadObjectId,
          directoryId: DIRECTORY,
          name: who.name,
          homeTenantId: "msp",
          assignment: {
            role: "msp-admin",
            tenantAccess: { kind: "all" },
            expiresAt: null,
            grantedBy: { personId: "system", name: "seed" },
            grantedAt: "2026-01-01T00:00:00.000Z",
            justification: null,
            requestId: null,
          },
        }),
      );
      admins.push(who);
    }
    return admins;
  };
  const requestFrom = async (who: Who) => {
    const reply = await postActivity(
      app.url,
      activities.invoke(from(who), "submitRequest", { justification: `I am ${who.name}` }, "personal"),
    );
    assert.match(JSON.stringify(reply.body), /Request sent|already have a request/);
    return (await requestsIn(container)).find((r) => r.personId === who.aadObjectId)!;
  };

  it("the same activity delivered three times files one request and posts one card", async () => {
    const requester = person(1);
    const submit = activities.invoke(
      from(requester),
      "submitRequest",
      { justification: "Delivered three times" },
      "personal",
    );
    await postActivity(app.url, submit);
    await Promise.all([postActivity(app.url, submit), postActivity(app.url, submit)]);
    const text = activities.message(from(person(2)), "request access via a text message");
    await Promise.all([postActivity(app.url, text), postActivity(app.url, text), postActivity(app.url, text)]);
    await app.idle();
    await eventually("two cards", () => cardPosts().length >= 2);
    await app.idle();
    const requests = await requestsIn(container);
    assert.equal(requests.length, 2);
    assert.equal(cardPosts().length, 2);
    report(
      "redelivery (same activity id ×3, two requesters)",
      { deliveries: 6, requests: requests.length, cards: cardPosts().length },
      2 - requests.length,
      cardPosts().length - 2,
    );
  });

  it("a replayed or double-clicked approve decides once; the others are told who decided and when", async () => {
    const [admin] = await makeAdmins(1);
    const requester = person(3);
    const request = await requestFrom(requester);
    const approve = activities.invoke(from(admin!), "approveRequest", {
      requestId: request.id,
      role: "msp-user",
      tenantAccess: "all",
      expiry: "never",
    });
    const answers = await Promise.all([
      postActivity(app.url, approve),
      postActivity(app.url, approve),
      postActivity(app.url, approve),
    ]);
    const texts = answers.map((a) => JSON.stringify(a.body));
    const won = texts.filter((t) => /Approved by/.test(t) && !/Already approved/.test(t)).length;
    const told = texts.filter((t) => /Already approved by Admin 1 at/.test(t)).length;
    assert.equal(won, 1);
    assert.equal(told, 2);
    await app.idle();
    assert.equal((await auditIn(container, "request.approved")).length, 1);
    assert.equal(noticesTo(requester).length, 1);
    report(
      "replayed approve (×3)",
      { clicks: 3, decisions: won, "told already decided": told, notices: noticesTo(requester).length },
      0,
      won - 1,
    );
  });

  it("20 parallel approve and deny clicks by 20 admins: one decision, one assignment change, one audit event, one notice, one card update", async () => {
    const admins = await makeAdmins(20);
    const requester = person(4);
    const request = await requestFrom(requester);
    await eventually("the card", () => cardPosts().length === 1);
    const answers = await Promise.all(
      admins.map((admin, i) =>
        postActivity(
          app.url,
          activities.invoke(from(admin), i % 2 ? "denyRequest" : "approveRequest", {
            requestId: request.id,
            role: "msp-user",
            tenantAccess: "all",
            expiry: "never",
            note: "Not now",
          }),
        ),
      ),
    );
    await app.idle();
    const texts = answers.map((a) => JSON.stringify(a.body));
    const winners = texts.filter((t) => /(Approved|Denied) by/.test(t) && !/Already/.test(t));
    assert.equal(winners.length, 1, texts.join("\n"));
    assert.equal(texts.filter((t) => /Already (approved|denied) by/.test(t)).length, 19);
    const stored = (await requestsIn(container)).find((r) => r.id === request.id)!;
    const audits = [...(await auditIn(container, "request.approved")), ...(await auditIn(container, "request.denied"))];
    assert.equal(audits.length, 1);
    const assignment = (await stores.people.get(requester.aadObjectId))!.value.assignment;
    assert.equal(assignment?.requestId ?? null, stored.status === "approved" ? request.id : null);
    assert.equal(noticesTo(requester).length, 1);
    assert.equal(cardUpdates().length, 1);
    report(
      "20 parallel decisions by 20 admins",
      {
        clicks: 20,
        decisions: winners.length,
        "audit events": audits.length,
        notices: noticesTo(requester).length,
        "card updates": cardUpdates().length,
      },
      0,
      winners.length - 1 + audits.length - 1 + noticesTo(requester).length - 1,
    );
  });

  it("200 people asking at once: 200 requests stored and 200 cards posted, paced as Teams allows", async () => {
    const people = Array.from({ length: 200 }, (_, i) => person(1000 + i));
    const answers = await Promise.all(
      people.map((who) =>
        postActivity(
          app.url,
          activities.invoke(from(who), "submitRequest", { justification: `I am ${who.name}` }, "personal"),
        ),
      ),
    );
    // Each press is answered before Teams gives up on it: "Request sent", or, when the store is
    // slower than Teams waits (200 at once on a small machine), "Try again" while the filing goes
    // on. Either way every person ends with exactly one request and one card.
    const texts = answers.map((a) => JSON.stringify(a.body));
    const late = texts.filter((t) => /Try again/.test(t)).length;
    assert.equal(
      texts.filter((t) => /Request sent/.test(t)).length + late,
      200,
      texts.find((t) => !/Request sent|Try again/.test(t)),
    );
    await eventually("200 cards", () => cardPosts().length >= 200, 240_000);
    await app.idle();
    const requests = await requestsIn(container);
    const posted = cardPosts().map((p) => JSON.stringify(p.body).match(/"title":"Object id","value":"([^"]+)"/)?.[1]);
    assert.equal(requests.length, 200);
    assert.equal(new Set(posted).size, 200, "each request's card once");
    assert.equal(posted.length, 200);
    const times = cardPosts()
      .map((p) => p.at)
      .sort((a, b) => a - b);
    // Teams allows 60 messages in 30 s into one conversation. (The shorter windows are checked
    // exactly in delivery.spec.ts: arrival times here share one busy event loop with the bot.)
    const busiestIn = (ms: number) => {
      let most = 0;
      for (let i = 0; i < times.length; i++)
        most = Math.max(most, times.filter((t) => t >= times[i]! && t < times[i]! + ms).length);
      return most;
    };
    assert.ok(busiestIn(30_000) <= 60, `at most 60 messages in 30 s into one channel: ${busiestIn(30_000)}`);
    const busiest = busiestIn(1_000);
    report(
      "200 people asking at once",
      {
        requests: requests.length,
        cards: posted.length,
        "busiest second (messages)": busiest,
        "busiest 30 s (messages)": busiestIn(30_000),
        'answered "Try again"': late,
      },
      200 - new Set(posted).size,
      posted.length - new Set(posted).size,
    );
  });
});
