import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import type { StartedApp } from "../../src/index.js";
import { startEmbeddedCosmos } from "../../src/store/embedded-cosmos.js";
import { activities, postActivity } from "../helpers/activities.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { attack } from "../helpers/attack-ledger.js";
import { aPerson } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { RESULTS_DIR } from "../helpers/local-stack.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const asker = { id: "29:rita", aadObjectId: "77777777-7777-4777-8777-777777777777", name: "Rita Repeat" };

describe("security: rate limits, logs and failing closed", function () {
  this.timeout(60_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });

  describe("rate limits", () => {
    let app: StartedApp;
    let container: Container;
    beforeEach(async () => {
      ({ app, container } = await startApiApp(issuer, { REQUEST_LIMIT_PER_HOUR: "2", API_LIMIT_PER_MINUTE: "5" }));
    });
    afterEach(async () => {
      await app?.close();
    });

    it("lets one person file only so many requests an hour, so nobody floods the admins channel", async () => {
      const from = { serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from: asker };
      const ask = () =>
        postActivity(app.url, activities.invoke(from, "submitRequest", { justification: "please" }, "personal"));
      const cancel = () => postActivity(app.url, activities.message(from, "cancel"));
      for (let i = 0; i < 2; i++) {
        assert.match(JSON.stringify((await ask()).body), /Request sent/);
        await cancel();
      }
      await app.idle();
      await attack(
        "third request within the hour",
        () => snapshot(container),
        async () => {
          const reply = await ask();
          return /asked for access 2 times in the last hour/.test(JSON.stringify(reply.body));
        },
      );
    });

    it("answers 429 with Retry-After when one person calls the API too often", async () => {
      const token = await issuer.token(
        { objectId: "22222222-2222-4222-8222-222222222222", directoryId: DIRECTORY },
        AUDIENCE,
      );
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get("retry-after");
        await res.text();
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
    });
  });

  describe("logs", () => {
    it("never write tokens, secrets or keys; user text cannot forge a log line; refusals carry actor, action, reason and correlation id", async () => {
      const secret = "bot-password-that-must-not-be-logged";
      const { app } = await startApiApp(issuer, {
        BOT_ID: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        BOT_PASSWORD: secret,
        COSMOS_KEY: "cosmos-key-that-must-not-be-logged",
      });
      const token = await issuer.token(
        { objectId: "66666666-6666-4666-8666-666666666666", directoryId: DIRECTORY },
        AUDIENCE,
      );
      const forged = 'x"}\n{"level":60,"msg":"FORGED","actor":"admin"}\n';
      await fetch(`${app.url}/api/people?search=${encodeURIComponent(forged)}`, {
        headers: { authorization: `Bearer ${token}`, "x-correlation-id": "corr-test-12345678" },
      });
      await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}x` } });
      await postActivity(app.url, { type: "message", text: forged }, token);
      await app.close();
      const lines = readFileSync(join(RESULTS_DIR, "api.log"), "utf8").split("\n").filter(Boolean);
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>; // every line is one JSON object
        assert.notEqual(entry.msg, "FORGED", "user text became a log line");
      }
      const text = lines.join("\n");
      assert.ok(!text.includes(token.split(".")[2]!), "a token signature is in the logs");
      assert.ok(!text.includes(secret), "the bot password is in the logs");
      assert.ok(!text.includes("cosmos-key-that-must-not-be-logged"), "the Cosmos DB key is in the logs");
      const refusal = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((e) => e.correlationId === "corr-test-12345678");
      assert.ok(refusal, "the refusal is logged with the caller's correlation id");
      assert.equal(refusal.action, "list-people");
      assert.equal(refusal.actor, "66666666-6666-4666-8666-666666666666");
      assert.match(String(refusal.reason), /access/);
    });
  });

  describe("failing closed", () => {
    it("with the store unreachable nothing is allowed: generic errors with a correlation id, and the process stays up", async () => {
      const store = await startEmbeddedCosmos();
      const { app } = await startApiApp(issuer, { COSMOS_ENDPOINT: store.endpoint });
      const admin = await issuer.token(
        { objectId: "22222222-2222-4222-8222-222222222222", directoryId: DIRECTORY },
        AUDIENCE,
      );
      assert.equal((await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${admin}` } })).status, 200);
      await store.close();

      const me = await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${admin}` } });
      const body = (await me.json()) as { error: string; message: string; correlationId: string };
      assert.equal(me.status, 503);
      assert.equal(body.error, "unavailable");
      assert.ok(body.correlationId.length >= 8);
      assert.doesNotMatch(body.message, /ECONNREFUSED|127\.0\.0\.1|stack/i, "no internals in the answer");

      const p = aPerson({ directoryId: DIRECTORY });
      const disable = await fetch(`${app.url}/api/people/${p.personId}/disable`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", "if-match": "*" },
        body: JSON.stringify({ reason: "x" }),
      });
      assert.equal(disable.status, 503);

      const card = await postActivity(
        app.url,
        activities.invoke(
          {
            serviceUrl: sink.url,
            tenantId: DIRECTORY,
            botId: "28:access-desk",
            from: { id: "29:megan", aadObjectId: "22222222-2222-4222-8222-222222222222", name: "Megan" },
          },
          "approveRequest",
          {
            requestId: `${p.personId}-r1`,
            role: "msp-admin",
            tenantAccess: "all",
            expiry: "never",
          },
        ),
      );
      assert.equal(card.status, 200);
      assert.match(JSON.stringify(card.body), /Try again/);
      assert.match(JSON.stringify(card.body), /Reference: /);
      assert.equal((await fetch(`${app.url}/readyz`)).status, 503, "readiness says the store is down");
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200, "the process is alive");
      await app.close();
    });
  });
});
