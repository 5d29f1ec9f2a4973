import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import type { StartedApp } from "../../src/index.js";
import { activities, postActivity } from "../helpers/activities.js";
import { DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { attack } from "../helpers/attack-ledger.js";
import { BotTokenIssuer } from "../helpers/bot-token-issuer.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { RESULTS_DIR } from "../helpers/local-stack.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const BOT_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const BOT_SECRET = "bot-secret-for-tests-only-0000";
const requester = { id: "29:isaiah", aadObjectId: "44444444-4444-4444-8444-444444444444", name: "Isaiah Langer" };

/**
 * The bot endpoint with bot authentication on: tokens are checked by botbuilder against a stand-in
 * Bot Framework issuer (OpenID metadata + JWKS over HTTP). A bad token gets 401, no handler runs,
 * nothing is stored or sent, and the refusal is logged.
 */
describe("security: the bot endpoint authenticates every activity", function () {
  this.timeout(30_000);
  let tabIssuer: TestTokenIssuer;
  let botIssuer: BotTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let container: Container;

  before(async () => {
    [tabIssuer, botIssuer, sink] = await Promise.all([
      TestTokenIssuer.start(),
      BotTokenIssuer.start(),
      ConnectorSink.start(),
    ]);
  });
  after(async () => {
    await Promise.all([tabIssuer?.close(), botIssuer?.close(), sink?.close()]);
  });
  beforeEach(async () => {
    ({ app, container } = await startApiApp(tabIssuer, {
      BOT_ID,
      BOT_PASSWORD: BOT_SECRET,
      BOT_AUTH_OPENID_METADATA_URL: botIssuer.metadataUrl,
      BOT_AUTH_ISSUER: botIssuer.issuer,
    }));
  });
  afterEach(async () => {
    await app?.close();
  });

  const submit = () =>
    activities.invoke(
      { serviceUrl: sink.url, tenantId: DIRECTORY, botId: `28:${BOT_ID}`, from: requester },
      "submitRequest",
      { justification: "let me in" },
      "personal",
    );

  it("refuses activities whose token is missing, forged, expired, for another bot, from another issuer or for another service URL", async () => {
    const otherKey = await TestTokenIssuer.otherKey();
    const sentBefore = sink.sent.length;
    const cases: Array<[string, () => Promise<string | undefined>]> = [
      ["no token", async () => undefined],
      ["not a JWT", async () => "not-a-token"],
      ["wrong audience (another bot)", () => botIssuer.token("99999999-9999-4999-8999-999999999999", sink.url)],
      [
        "wrong issuer",
        () => botIssuer.token(BOT_ID, sink.url, {}, { issuer: "https://api.botframework.com.evil.example" }),
      ],
      ["expired beyond the 5-minute skew", () => botIssuer.token(BOT_ID, sink.url, {}, { expiresInSeconds: -400 })],
      ["bad signature", () => botIssuer.token(BOT_ID, sink.url, {}, { key: otherKey })],
      [
        "serviceurl claim differs from activity.serviceUrl",
        () => botIssuer.token(BOT_ID, "https://smba.trafficmanager.net.evil.example/"),
      ],
    ];
    for (const [name, token] of cases) {
      await attack(
        `bot endpoint: ${name}`,
        () => snapshot(container),
        async () => {
          const reply = await postActivity(app.url, submit(), await token());
          return reply.status === 401;
        },
      );
    }
    assert.equal(sink.sent.length, sentBefore, "nothing was sent to Teams for a refused activity");
    const refusals = readFileSync(join(RESULTS_DIR, "api.log"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"msg":"bot request refused"'));
    assert.ok(refusals.length >= cases.length, "each refusal is logged");
  });

  it("accepts a valid token, even a minute past expiry (within the skew), and the turn runs", async () => {
    const before = await snapshot(container);
    const reply = await postActivity(
      app.url,
      submit(),
      await botIssuer.token(BOT_ID, sink.url, {}, { expiresInSeconds: -60 }),
    );
    assert.equal(reply.status, 200);
    assert.match(JSON.stringify(reply.body), /Request sent/);
    assert.notDeepEqual(await snapshot(container), before, "the request was stored");
  });
});
