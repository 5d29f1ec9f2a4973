import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import type { StartedApp } from "../../src/index.js";
import { activities, postActivity, type Who } from "../helpers/activities.js";
import { DIRECTORY, FOREIGN_DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { attack } from "../helpers/attack-ledger.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { RESULTS_DIR } from "../helpers/local-stack.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const MEGAN: Who = { id: "29:megan", aadObjectId: "22222222-2222-4222-8222-222222222222", name: "Megan Bowen" };
const STRANGER: Who = { id: "29:mallory", aadObjectId: "66666666-6666-4666-8666-666666666666", name: "Mallory" };
const BOT = "28:access-desk";

/**
 * Activities posted to /api/messages as the Bot Connector would (local mode, anonymous), with replies
 * going to a stand-in connector: the directory allow-list, and bad envelopes and bodies.
 */
describe("security: activities from outside, and malformed ones, are refused", function () {
  this.timeout(30_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let container: Container;
  const base = (from: Who, tenantId: string | null) => ({ serviceUrl: sink.url, tenantId, botId: BOT, from });

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
  });
  after(async () => {
    await Promise.all([issuer?.close(), sink?.close()]);
  });
  beforeEach(async () => {
    ({ app, container } = await startApiApp(issuer));
  });
  afterEach(async () => {
    await app?.close();
  });

  it("refuses messages, card actions and installations from a directory that is not allowed, or from none", async () => {
    for (const [label, tenant] of [
      ["foreign directory", FOREIGN_DIRECTORY],
      ["no directory", null],
    ] as const) {
      const cases: Array<[string, unknown]> = [
        ["message", activities.message(base(STRANGER, tenant), "request access I am a friend")],
        [
          "card action",
          activities.invoke(base(STRANGER, tenant), "submitRequest", { justification: "let me in" }, "personal"),
        ],
        [
          "admin card action",
          activities.invoke(base(MEGAN, tenant), "approveRequest", {
            requestId: `${STRANGER.aadObjectId}-r1`,
            role: "msp-admin",
            tenantAccess: "all",
            expiry: "never",
          }),
        ],
        ["installation", activities.installation(base(STRANGER, tenant))],
        ["members added", activities.membersAdded(base(STRANGER, tenant))],
        ["channel command", activities.message(base(MEGAN, tenant), "use this channel for approvals", "channel")],
      ];
      for (const [name, activity] of cases) {
        await attack(
          `${label}: ${name}`,
          () => snapshot(container),
          async () => {
            const sent = sink.sent.length;
            const reply = await postActivity(app.url, activity);
            const replies = sink.sent.slice(sent).map((s) => JSON.stringify(s.body));
            const refusedInline = JSON.stringify(reply.body ?? "").includes("not allowed to use Access Desk");
            const refusedByMessage = replies.some((r) => r.includes("not allowed to use Access Desk"));
            const silent = replies.length === 0;
            return (
              reply.status < 500 &&
              (refusedInline || refusedByMessage || silent) &&
              !replies.some((r) => r.includes("Request sent"))
            );
          },
        );
      }
    }
  });

  it("logs each directory refusal with the reason", async () => {
    await postActivity(app.url, activities.message(base(STRANGER, FOREIGN_DIRECTORY), "hello from elsewhere"));
    const lines = readFileSync(join(RESULTS_DIR, "api.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const refusal = lines.reverse().find((e) => e.msg === "activity refused");
    assert.ok(refusal);
    assert.equal(refusal.reason, "foreign-directory");
    assert.equal(refusal.directory, FOREIGN_DIRECTORY);
    assert.equal(refusal.from, STRANGER.aadObjectId);
  });

  it("refuses a directory mismatch between the conversation and the channel data", async () => {
    const activity = activities.message(base(STRANGER, DIRECTORY), "request access hello") as {
      channelData: { tenant: { id: string } };
    };
    activity.channelData.tenant.id = FOREIGN_DIRECTORY;
    await attack(
      "directory mismatch",
      () => snapshot(container),
      async () => {
        const reply = await postActivity(app.url, activity);
        return reply.status < 500;
      },
    );
  });

  it("answers 400 to bodies that are not activities, 413 to oversized ones and 415 to non-JSON; nothing runs", async () => {
    const cases: Array<[string, () => Promise<number>, number]> = [
      ["malformed JSON", async () => (await postActivity(app.url, null, undefined, "{ type: message")).status, 400],
      ["not an activity (array)", async () => (await postActivity(app.url, [1, 2, 3])).status, 400],
      ["activity without a type", async () => (await postActivity(app.url, { text: "hi" })).status, 400],
      ["activity with a huge type", async () => (await postActivity(app.url, { type: "x".repeat(1000) })).status, 400],
      [
        "bad service URL",
        async () => (await postActivity(app.url, { type: "message", serviceUrl: "javascript:alert(1)" })).status,
        400,
      ],
      [
        "oversized body",
        async () => (await postActivity(app.url, { type: "message", text: "x".repeat(300_000) })).status,
        413,
      ],
      [
        "not JSON",
        async () =>
          (
            await fetch(`${app.url}/api/messages`, {
              method: "POST",
              headers: { "content-type": "text/plain" },
              body: "type=message",
            })
          ).status,
        415,
      ],
    ];
    for (const [name, run, expected] of cases) {
      await attack(
        `/api/messages: ${name}`,
        () => snapshot(container),
        async () => (await run()) === expected,
      );
    }
  });

  it("refuses over-long and control-character justifications, and tampered card fields that would set a conversation address", async () => {
    const stranger = base(STRANGER, DIRECTORY);
    const cases: Array<[string, unknown]> = [
      ["501-character justification", { justification: "x".repeat(501) }],
      ["control characters", { justification: "hello\u0000world" }],
      ["bidirectional override", { justification: "admin\u202Etxt.exe" }],
      ["empty justification", { justification: "   " }],
      ["a service URL in the card data", { justification: "hello", serviceUrl: "https://evil.example/" }],
      ["a conversation in the card data", { justification: "hello", conversation: { id: "19:admins@thread.tacv2" } }],
      ["a role that does not exist", { justification: "hello", wishedRole: "global-admin" }],
    ];
    for (const [name, data] of cases) {
      await attack(
        `request form: ${name}`,
        () => snapshot(container),
        async () => {
          const reply = await postActivity(app.url, activities.invoke(stranger, "submitRequest", data, "personal"));
          return reply.status === 200 && /Not done/.test(JSON.stringify(reply.body));
        },
      );
    }
    const ok = await postActivity(
      app.url,
      activities.invoke(stranger, "submitRequest", { justification: "A real reason" }, "personal"),
    );
    assert.match(
      JSON.stringify(ok.body),
      /Request sent/,
      "a well-formed request from an allowed directory goes through",
    );
  });
});
