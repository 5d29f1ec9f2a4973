import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import fc from "fast-check";
import type { Person } from "../../src/domain/person.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity } from "../helpers/activities.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { recordAttacks } from "../helpers/attack-ledger.js";
import { aPerson } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const RUNS = 1000;

/**
 * Property-based fuzzing (fast-check) of what the outside world can send: whole activities, card
 * action payloads, and API bodies and headers. Thousands of cases: never a 5xx, the server stays up,
 * and the store does not change (the senders are a disabled person and a user without admin rights).
 */
describe("security: fuzzing activities, card payloads and API bodies", function () {
  this.timeout(300_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  let disabled: Person;
  let user: Person;
  let admin: Person;

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
    ({ app, stores, container } = await startApiApp(issuer, { API_LIMIT_PER_MINUTE: "1000000" }));
    const assign = (role: "msp-admin" | "customer-user") => ({
      role,
      tenantAccess: { kind: "all" as const },
      expiresAt: null,
      grantedBy: { personId: "system", name: "seed" },
      grantedAt: "2026-01-01T00:00:00.000Z",
      justification: null,
      requestId: null,
    });
    disabled = aPerson({
      directoryId: DIRECTORY,
      name: "Dora Disabled",
      enabled: false,
      homeTenantId: "msp",
      assignment: assign("msp-admin"),
    });
    user = aPerson({
      directoryId: DIRECTORY,
      name: "Uma User",
      homeTenantId: "msp",
      assignment: { ...assign("customer-user"), tenantAccess: { kind: "tenants", tenantIds: ["msp"] } },
    });
    admin = aPerson({
      directoryId: DIRECTORY,
      name: "Ada Admin",
      homeTenantId: "msp",
      assignment: assign("msp-admin"),
    });
    for (const p of [disabled, user, admin]) await stores.people.create(p);
  });
  after(async () => {
    await app?.close();
    await Promise.all([issuer?.close(), sink?.close()]);
  });

  const sender = () => ({
    serviceUrl: sink.url,
    tenantId: DIRECTORY,
    botId: "28:access-desk",
    from: { id: "29:dora", aadObjectId: disabled.objectId, name: "Dora Disabled" },
  });
  const settledSnapshot = async () => {
    await app.idle();
    return snapshot(container);
  };
  const alive = async () => (await fetch(`${app.url}/healthz`)).status === 200;

  it(`${RUNS} arbitrary activities: no 5xx, nothing stored`, async () => {
    await postActivity(app.url, activities.message(sender(), "hello"), undefined); // the sender's chat address is known already
    const before = await settledSnapshot();
    let refused = 0;
    const activity = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom("message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction", "event"),
          fc.string({ maxLength: 20 }),
        ),
        text: fc.oneof(
          fc.string(),
          fc.constantFrom("help", "request access", "status", "cancel", "pending", "use this channel for approvals"),
          fc.jsonValue(),
        ),
        name: fc.oneof(
          fc.constantFrom("adaptiveCard/action", "task/fetch", "composeExtension/query", "signin/verifyState"),
          fc.string(),
        ),
        value: fc.jsonValue(),
        entities: fc.array(fc.jsonValue(), { maxLength: 3 }),
        membersAdded: fc.array(fc.record({ id: fc.string(), aadObjectId: fc.string() }), { maxLength: 2 }),
        action: fc.string(),
        replyToId: fc.string(),
      },
      { requiredKeys: ["type"] },
    );
    await fc.assert(
      fc.asyncProperty(activity, async (extra) => {
        const reply = await postActivity(app.url, { ...activities.message(sender(), ""), ...extra });
        assert.ok(reply.status < 500, `status ${reply.status} for ${JSON.stringify(extra).slice(0, 300)}`);
        refused++;
      }),
      { numRuns: RUNS },
    );
    const changed = JSON.stringify(await settledSnapshot()) !== JSON.stringify(before);
    recordAttacks("fuzzed activities", RUNS, refused, changed);
    assert.equal(changed, false, "the store changed");
    assert.ok(await alive());
  });

  it(`${RUNS} arbitrary card action payloads, on every verb: no 5xx, nothing stored`, async () => {
    const before = await settledSnapshot();
    let refused = 0;
    const data = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          requestId: fc.oneof(fc.string(), fc.constant(`${user.personId}-r1`), fc.constant("../../etc/passwd")),
          role: fc.oneof(fc.constantFrom("msp-admin", "msp-user", "customer-admin", "customer-user"), fc.string()),
          tenantAccess: fc.oneof(fc.constant("all"), fc.string(), fc.array(fc.string())),
          expiry: fc.oneof(fc.constantFrom("never", "1h", "90d"), fc.string()),
          note: fc.string({ maxLength: 700 }),
          justification: fc.string({ maxLength: 700 }),
          wishedRole: fc.string(),
          isAdmin: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("submitRequest", "approveRequest", "denyRequest", "unknownVerb"),
        data,
        fc.constantFrom("personal", "channel"),
        async (verb, payload, scope) => {
          const reply = await postActivity(
            app.url,
            activities.invoke(sender(), verb, payload, scope as "personal" | "channel"),
          );
          assert.ok(reply.status < 500, `status ${reply.status} for ${verb} ${JSON.stringify(payload).slice(0, 300)}`);
          refused++;
        },
      ),
      { numRuns: RUNS },
    );
    const changed = JSON.stringify(await settledSnapshot()) !== JSON.stringify(before);
    recordAttacks("fuzzed card actions", RUNS, refused, changed);
    assert.equal(changed, false, "the store changed");
    assert.ok(await alive());
  });

  it(`${RUNS} arbitrary API bodies, query strings and If-Match headers: no 5xx, nothing stored`, async () => {
    const tokens = {
      user: await issuer.token(
        { objectId: user.objectId, directoryId: DIRECTORY, name: user.name, upn: user.upn! },
        AUDIENCE,
      ),
      admin: await issuer.token(
        { objectId: admin.objectId, directoryId: DIRECTORY, name: admin.name, upn: admin.upn! },
        AUDIENCE,
      ),
    };
    const target = user.personId;
    const before = await settledSnapshot();
    let refused = 0;
    // The admin's changes carry an ETag that never matches; the user may change nothing at all.
    const call = fc.oneof(
      fc.record({
        who: fc.constant("user" as const),
        method: fc.constantFrom("POST", "PATCH"),
        path: fc.constantFrom(
          "/api/tenants",
          `/api/tenants/msp`,
          `/api/people/${target}/assignment`,
          `/api/people/${target}/grant`,
          `/api/people/${target}/disable`,
          `/api/people/${target}/enable`,
          `/api/requests/${target}-r1/approve`,
          `/api/requests/${target}-r1/deny`,
        ),
        etag: fc.option(fc.string()),
      }),
      fc.record({
        who: fc.constant("admin" as const),
        method: fc.constantFrom("POST", "PATCH"),
        path: fc.constantFrom(
          `/api/people/${target}/assignment`,
          `/api/people/${target}/grant`,
          `/api/people/${target}/disable`,
          `/api/tenants/msp`,
        ),
        etag: fc.string().map((s) => `"stale-${s}"`),
      }),
      fc.record({
        who: fc.constantFrom("user" as const, "admin" as const),
        method: fc.constant("GET"),
        path: fc.oneof(
          fc.constantFrom("/api/people", "/api/requests", "/api/me", "/api/tenants"),
          fc.string().map((s) => `/api/people/${encodeURIComponent(s)}`),
        ),
        etag: fc.constant(null),
      }),
    );
    const query = fc.dictionary(
      fc.constantFrom("search", "role", "status", "tenant", "sort", "order", "pageSize", "continuation", "evil"),
      fc.string(),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(call, fc.jsonValue(), query, async (c, body, q) => {
        const res = await fetch(`${app.url}${c.path}${c.method === "GET" ? `?${new URLSearchParams(q)}` : ""}`, {
          method: c.method,
          headers: {
            authorization: `Bearer ${tokens[c.who]}`,
            ...(c.method !== "GET" ? { "content-type": "application/json" } : {}),
            ...(c.etag ? { "if-match": c.etag.replace(/[^\x20-\x7e]/g, "") || "x" } : {}),
          },
          ...(c.method !== "GET" ? { body: JSON.stringify(body) } : {}),
        });
        await res.text();
        assert.ok(
          res.status < 500,
          `status ${res.status} for ${c.method} ${c.path} ${JSON.stringify(body).slice(0, 200)}`,
        );
        refused++;
      }),
      { numRuns: RUNS },
    );
    const changed = JSON.stringify(await settledSnapshot()) !== JSON.stringify(before);
    recordAttacks("fuzzed API calls", RUNS, refused, changed);
    assert.equal(changed, false, "the store changed");
    assert.ok(await alive());
  });
});
