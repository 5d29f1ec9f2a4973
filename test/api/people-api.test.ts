import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import type { Assignment, Person } from "../../src/domain/person.js";
import type { Role } from "../../src/domain/roles.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { AUDIENCE, DIRECTORY, FOREIGN_DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { aPerson, aRequest } from "../helpers/builders.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const MEGAN = "22222222-2222-4222-8222-222222222222";
const assignment = (role: Role, tenantIds: string[] | "all"): Assignment => ({
  role,
  tenantAccess: tenantIds === "all" ? { kind: "all" } : { kind: "tenants", tenantIds },
  expiresAt: null,
  grantedBy: { personId: "system", name: "Access Desk" },
  grantedAt: "2026-01-01T00:00:00.000Z",
  justification: "seed",
  requestId: null,
});

type Reply = { status: number; body: any; headers: Headers };

describe("People API (real HTTP, tokens from a test issuer)", function () {
  this.timeout(30_000);
  let issuer: TestTokenIssuer;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  const people: Record<string, Person> = {};

  const seed = async (key: string, overrides: Partial<Person>) => {
    const p = aPerson({ directoryId: DIRECTORY, ...overrides });
    await stores.people.create(p);
    people[key] = p;
    return p;
  };
  const tokenFor = (
    p: Pick<Person, "objectId" | "directoryId">,
    ...rest: Parameters<TestTokenIssuer["token"]> extends [unknown, unknown, ...infer R] ? R : never
  ) => issuer.token({ objectId: p.objectId, directoryId: p.directoryId }, AUDIENCE, ...rest);
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<Reply> => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined || options.raw !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const as = async (key: string) =>
    tokenFor(key === "megan" ? { objectId: MEGAN, directoryId: DIRECTORY } : people[key]!);

  before(async () => {
    issuer = await TestTokenIssuer.start();
  });
  after(async () => {
    await issuer?.close();
  });
  beforeEach(async () => {
    ({ app, stores, container } = await startApiApp(issuer));
    await stores.tenants.ensure({
      id: "fabrikam",
      name: "Fabrikam",
      kind: "customer",
      directoryId: null,
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    await seed("cara", {
      name: "Cara Customer-Admin",
      upn: "cara@fabrikam.example",
      homeTenantId: "fabrikam",
      assignment: assignment("customer-admin", ["fabrikam"]),
    });
    await seed("ulla", {
      name: "Ulla MSP-User",
      upn: "ulla@contoso.example",
      homeTenantId: "msp",
      assignment: assignment("msp-user", "all"),
    });
    await seed("cu", {
      name: "Carl Customer-User",
      upn: "carl@fabrikam.example",
      homeTenantId: "fabrikam",
      assignment: assignment("customer-user", ["fabrikam"]),
    });
    await seed("dis", {
      name: "Dora Disabled",
      upn: "dora@contoso.example",
      homeTenantId: "msp",
      enabled: false,
      assignment: assignment("msp-admin", "all"),
    });
    const nora = await seed("nora", { name: "Nora No-Access", upn: "nora@fabrikam.example", homeTenantId: "fabrikam" });
    const request = aRequest(nora, { createdAt: "2026-02-01T09:00:00.000Z" });
    await stores.requests.create(request);
    const stored = (await stores.people.get(nora.personId))!;
    await stores.people.replace(
      { ...stored.value, pendingRequest: { requestId: request.id, createdAt: request.createdAt }, requestSeq: 1 },
      stored.etag,
    );
    for (let i = 0; i < 30; i++) {
      await seed(`p${i}`, {
        name: `Person ${String(i).padStart(2, "0")}`,
        upn: `person${i}@contoso.example`,
        homeTenantId: i % 3 === 0 ? "fabrikam" : "msp",
      });
    }
  });
  afterEach(async () => {
    await app?.close();
  });

  describe("authentication", () => {
    it("refuses every token that is not a valid, current, in-scope token for this app, and changes nothing", async () => {
      const ulla = people.ulla!;
      const before = await snapshot(container);
      const otherKey = await TestTokenIssuer.otherKey();
      const cases: Array<[string, string | undefined, RegExp]> = [
        ["no token", undefined, /bearer token is required/],
        ["not a JWT", "not-a-token", /bearer token is required/],
        ["expired beyond the 5-minute skew", await tokenFor(ulla, {}, { expiresInSeconds: -400 }), /expired/],
        [
          "wrong audience",
          await issuer.token({ objectId: ulla.objectId, directoryId: DIRECTORY }, "api://someone-else"),
          /aud/,
        ],
        ["wrong issuer", await tokenFor(ulla, {}, { issuer: "https://login.example.com/forged/v2.0" }), /iss/],
        [
          "foreign directory",
          await issuer.token({ objectId: ulla.objectId, directoryId: FOREIGN_DIRECTORY }, AUDIENCE),
          /directory is not allowed/,
        ],
        ["missing scope", await tokenFor(ulla, { scp: "User.Read" }), /access_as_user/],
        ["bad signature", await tokenFor(ulla, {}, { key: otherKey }), /signature/],
        ["no oid", await tokenFor(ulla, { oid: undefined }), /oid/],
      ];
      for (const [name, token, reason] of cases) {
        const headers: Record<string, string> = token === "not-a-token" ? { authorization: "Bearer not-a-token" } : {};
        const read = await call("GET", "/api/me", { ...(token && token !== "not-a-token" ? { token } : {}), headers });
        assert.equal(read.status, 401, name);
        assert.match(read.body.message, reason, name);
        const write = await call("POST", `/api/people/${people.p1!.personId}/disable`, {
          ...(token && token !== "not-a-token" ? { token } : {}),
          headers: { ...headers, "if-match": "*" },
          body: { reason: "attack" },
        });
        assert.equal(write.status, 401, `${name} (write)`);
      }
      assert.deepEqual(await snapshot(container), before);
    });

    it("accepts a valid token within the clock skew and identifies the person by oid", async () => {
      const me = await call("GET", "/api/me", { token: await tokenFor(people.ulla!, {}, { expiresInSeconds: -60 }) });
      assert.equal(me.status, 200);
      assert.equal(me.body.person.id, people.ulla!.personId);
      assert.equal(me.body.role, "msp-user");
      assert.deepEqual(me.body.permissions, []);
    });
  });

  describe("reading people", () => {
    it("pages through everyone for an MSP Admin with continuation tokens (default 50, at most 200)", async () => {
      const token = await as("megan");
      const seen = new Set<string>();
      let continuation: string | null = null;
      let pages = 0;
      do {
        const q = new URLSearchParams({ pageSize: "10", ...(continuation ? { continuation } : {}) });
        const page = await call("GET", `/api/people?${q}`, { token });
        assert.equal(page.status, 200);
        assert.ok(page.body.items.length <= 10);
        for (const p of page.body.items) seen.add(p.id);
        continuation = page.body.continuation;
        pages++;
      } while (continuation);
      assert.equal(seen.size, 36, "30 seeded + 5 named + the MSP Admin");
      assert.equal(pages, 4);
      assert.equal((await call("GET", "/api/people?pageSize=201", { token })).status, 400);
      const all = await call("GET", "/api/people", { token });
      assert.equal(all.body.items.length, 36);
    });

    it("searches by a prefix of name, UPN or email, and filters by role, status and tenant", async () => {
      const token = await as("megan");
      const names = async (q: string) =>
        ((await call("GET", `/api/people?${q}`, { token })).body.items as Array<{ name: string }>).map((p) => p.name);
      assert.deepEqual(await names("search=cara"), ["Cara Customer-Admin"]);
      assert.deepEqual(await names("search=customer"), ["Cara Customer-Admin", "Carl Customer-User"]);
      assert.deepEqual(await names("search=dora%40contoso"), ["Dora Disabled"]);
      assert.deepEqual(await names("role=customer-admin"), ["Cara Customer-Admin"]);
      assert.deepEqual(await names("status=disabled"), ["Dora Disabled"]);
      assert.deepEqual(await names("status=pending"), ["Nora No-Access"]);
      assert.equal((await names("status=no-access")).length, 31);
      assert.equal((await names("tenant=fabrikam")).length, 13);
      assert.deepEqual(await names("sort=name&order=desc&pageSize=2"), ["Ulla MSP-User", "Person 29"]);
      const bad = await call("GET", "/api/people?status=sleeping", { token });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, "status");
      assert.equal((await call("GET", "/api/people?colour=red", { token })).body.field, "colour");
    });

    it("shows a Customer Admin only their own tenant's people; other tenants' people are 403", async () => {
      const token = await as("cara");
      const list = await call("GET", "/api/people?pageSize=200", { token });
      assert.equal(list.status, 200);
      assert.ok(list.body.items.length > 0);
      assert.ok(list.body.items.every((p: { homeTenantId: string }) => p.homeTenantId === "fabrikam"));
      assert.equal((await call("GET", `/api/people/${people.ulla!.personId}`, { token })).status, 403);
      assert.equal((await call("GET", `/api/people/${people.nora!.personId}`, { token })).status, 200);
    });

    it("shows MSP Users and Customer Users only themselves, and disabled people nothing", async () => {
      for (const key of ["ulla", "cu"]) {
        const token = await as(key);
        assert.equal((await call("GET", "/api/people", { token })).status, 403, key);
        assert.equal((await call("GET", `/api/people/${people[key]!.personId}`, { token })).status, 200, key);
        assert.equal((await call("GET", `/api/people/${people.p1!.personId}`, { token })).status, 403, key);
      }
      const dis = await as("dis");
      assert.equal((await call("GET", "/api/people", { token: dis })).status, 403);
      assert.equal((await call("GET", `/api/people/${people.dis!.personId}`, { token: dis })).status, 403);
      assert.equal((await call("GET", "/api/requests?status=pending", { token: dis })).status, 403);
    });

    it("answers 404 for an unknown or malformed person id", async () => {
      const token = await as("megan");
      assert.equal((await call("GET", "/api/people/00000000-0000-4000-8000-000000000000", { token })).status, 404);
      assert.equal((await call("GET", "/api/people/..%2F..%2Fetc", { token })).status, 404);
    });
  });

  describe("changing people", () => {
    it("changes a role with the ETag read, records who, when and why in the history", async () => {
      const token = await as("megan");
      const read = await call("GET", `/api/people/${people.p1!.personId}`, { token });
      const etag = read.headers.get("etag")!;
      assert.ok(etag);
      const changed = await call("PATCH", `/api/people/${people.p1!.personId}/assignment`, {
        token,
        headers: { "if-match": etag },
        body: {
          role: "msp-user",
          tenantAccess: ["msp", "fabrikam"],
          expiry: "30d",
          reason: "Covers the Fabrikam desk",
        },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.notEqual(changed.headers.get("etag"), etag);
      const stored = (await stores.people.get(people.p1!.personId))!.value;
      assert.equal(stored.assignment?.role, "msp-user");
      assert.deepEqual(stored.assignment?.tenantAccess, { kind: "tenants", tenantIds: ["msp", "fabrikam"] });
      const detail = await call("GET", `/api/people/${people.p1!.personId}`, { token });
      const event = detail.body.history.find((e: { action: string }) => e.action === "assignment.granted");
      assert.ok(event, JSON.stringify(detail.body.history));
      assert.equal(event.reason, "Covers the Fabrikam desk");
      assert.equal(event.actor.personId, MEGAN);
      assert.equal(event.after.assignment.role, "msp-user");
      assert.equal(stored.lastChange?.recorded, true);
    });

    it("refuses a stale ETag with 412, a missing If-Match with 428, and bad bodies with 400 naming the field; nothing changes", async () => {
      const token = await as("megan");
      const id = people.p2!.personId;
      const etag = (await call("GET", `/api/people/${id}`, { token })).headers.get("etag")!;
      await call("POST", `/api/people/${id}/disable`, {
        token,
        headers: { "if-match": etag },
        body: { reason: "left the company" },
      });
      const before = await snapshot(container);
      const stale = await call("PATCH", `/api/people/${id}/assignment`, {
        token,
        headers: { "if-match": etag },
        body: { role: "msp-user", tenantAccess: "all", expiry: "never", reason: "x" },
      });
      assert.equal(stale.status, 412);
      assert.match(stale.body.message, /changed this person/);
      const fresh = (await call("GET", `/api/people/${id}`, { token })).headers.get("etag")!;
      const cases: Array<[unknown, number, string | undefined]> = [
        [{ role: "msp-user", tenantAccess: "all", expiry: "never", reason: "x", isAdmin: true }, 400, "isAdmin"],
        [{ role: "root", tenantAccess: "all", expiry: "never", reason: "x" }, 400, "role"],
        [{ role: "msp-user", tenantAccess: ["nowhere"], expiry: "never", reason: "x" }, 400, "tenantAccess"],
        [{ role: "msp-user", tenantAccess: "all", expiry: "forever", reason: "x" }, 400, "expiry"],
        [{ role: "msp-user", tenantAccess: "all", expiry: "never", reason: "" }, 400, "Reason"],
        [{ role: "msp-user", tenantAccess: "all", expiry: "never" }, 400, "reason"],
        [{ role: 7, tenantAccess: "all", expiry: "never", reason: "x" }, 400, "role"],
      ];
      for (const [body, status, field] of cases) {
        const reply = await call("PATCH", `/api/people/${id}/assignment`, {
          token,
          headers: { "if-match": fresh },
          body,
        });
        // A disabled person is refused before the details of the change (400 field "enabled") except for shape errors.
        assert.equal(reply.status, status, JSON.stringify(body));
        assert.ok(
          reply.body.field === field || reply.body.field === "enabled",
          `${JSON.stringify(body)} → ${JSON.stringify(reply.body)}`,
        );
      }
      const noIfMatch = await call("PATCH", `/api/people/${id}/assignment`, {
        token,
        body: { role: "msp-user", tenantAccess: "all", expiry: "never", reason: "x" },
      });
      assert.equal(noIfMatch.status, 428);
      assert.equal(
        (
          await call("PATCH", `/api/people/${id}/assignment`, {
            token,
            headers: { "if-match": fresh },
            raw: "{not json",
          })
        ).status,
        400,
      );
      assert.equal(
        (
          await call("PATCH", `/api/people/${id}/assignment`, {
            token,
            headers: { "if-match": fresh, "content-type": "text/plain" },
            raw: "role=msp-admin",
          })
        ).status,
        415,
      );
      const big = await call("PATCH", `/api/people/${id}/assignment`, {
        token,
        headers: { "if-match": fresh },
        body: { reason: "x".repeat(300_000) },
      });
      assert.equal(big.status, 413);
      assert.deepEqual(await snapshot(container), before);
    });

    it("keeps people within the actor's reach: no self-change, no escalation, no one above the actor", async () => {
      const cara = await as("cara");
      const etagOf = async (key: string, token: string) =>
        (await call("GET", `/api/people/${people[key]!.personId}`, { token })).headers.get("etag") ?? "*";
      const before = await snapshot(container);
      const attempts: Array<[string, string, unknown, number]> = [
        [
          "nora",
          "cara: grant MSP Admin to her own tenant's person",
          { role: "msp-admin", tenantAccess: "all", expiry: "never", reason: "x" },
          403,
        ],
        [
          "nora",
          "cara: grant Customer User in another tenant",
          { role: "customer-user", tenantAccess: ["msp"], expiry: "never", reason: "x" },
          403,
        ],
        [
          "ulla",
          "cara: change someone of another tenant",
          { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "never", reason: "x" },
          403,
        ],
        [
          "cara",
          "cara: change herself",
          { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "never", reason: "x" },
          403,
        ],
      ];
      for (const [key, name, body, status] of attempts) {
        const reply = await call("PATCH", `/api/people/${people[key]!.personId}/assignment`, {
          token: cara,
          headers: { "if-match": await etagOf(key, await as("megan")) },
          body,
        });
        assert.equal(reply.status, status, `${name}: ${JSON.stringify(reply.body)}`);
      }
      const ulla = await as("ulla");
      const byUser = await call("POST", `/api/people/${people.p3!.personId}/disable`, {
        token: ulla,
        headers: { "if-match": "*" },
        body: { reason: "x" },
      });
      assert.equal(byUser.status, 403);
      assert.deepEqual(await snapshot(container), before);

      const ok = await call("POST", `/api/people/${people.nora!.personId}/grant`, {
        token: cara,
        headers: { "if-match": await etagOf("nora", cara) },
        body: { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "90d", reason: "Fabrikam staff" },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const again = await call("POST", `/api/people/${people.nora!.personId}/grant`, {
        token: cara,
        headers: { "if-match": await etagOf("nora", cara) },
        body: { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "90d", reason: "again" },
      });
      assert.equal(again.status, 409);
    });

    it("disables and re-enables a person; a disabled person's request cannot be approved", async () => {
      const token = await as("megan");
      const id = people.nora!.personId;
      let etag = (await call("GET", `/api/people/${id}`, { token })).headers.get("etag")!;
      const off = await call("POST", `/api/people/${id}/disable`, {
        token,
        headers: { "if-match": etag },
        body: { reason: "Left Fabrikam" },
      });
      assert.equal(off.status, 200);
      assert.equal(off.body.person.status, "disabled");
      const pending = await call("GET", "/api/requests?status=pending", { token });
      const requestId = pending.body.items[0].id;
      const approve = await call("POST", `/api/requests/${requestId}/approve`, {
        token,
        body: { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "never" },
      });
      assert.equal(approve.status, 400);
      assert.equal(approve.body.field, "enabled");
      etag = off.headers.get("etag")!;
      const on = await call("POST", `/api/people/${id}/enable`, {
        token,
        headers: { "if-match": etag },
        body: { reason: "Came back" },
      });
      assert.equal(on.status, 200);
      assert.equal(on.body.person.status, "no-access");
      const history = (await call("GET", `/api/people/${id}`, { token })).body.history.map(
        (e: { action: string }) => e.action,
      );
      assert.ok(history.includes("person.disabled") && history.includes("person.enabled"), history.join(","));
    });
  });

  describe("requests and tenants", () => {
    it("lists pending requests with a total and decides them with the same rules as the card", async () => {
      const token = await as("megan");
      const list = await call("GET", "/api/requests?status=pending", { token });
      assert.equal(list.status, 200);
      assert.equal(list.body.total, 1);
      const id = list.body.items[0].id;
      assert.equal((await call("GET", "/api/requests?status=approved", { token })).status, 400);
      const approve = await call("POST", `/api/requests/${id}/approve`, {
        token,
        body: { role: "customer-user", tenantAccess: ["fabrikam"], expiry: "7d" },
      });
      assert.equal(approve.status, 200, JSON.stringify(approve.body));
      assert.equal(approve.body.request.status, "approved");
      assert.equal((await stores.people.get(people.nora!.personId))!.value.assignment?.role, "customer-user");
      const again = await call("POST", `/api/requests/${id}/deny`, { token, body: { reason: "late" } });
      assert.equal(again.status, 409);
      assert.match(again.body.message, /Already approved by/);
      const byUser = await call("GET", "/api/requests?status=pending", { token: await as("ulla") });
      assert.equal(byUser.status, 403);
    });

    it("lets only MSP Admins create, rename and link tenants", async () => {
      const token = await as("megan");
      const created = await call("POST", "/api/tenants", { token, body: { name: "Northwind" } });
      assert.equal(created.status, 201);
      assert.equal((await call("POST", "/api/tenants", { token, body: { name: "northwind" } })).status, 409);
      assert.equal(
        (await call("POST", "/api/tenants", { token: await as("cara"), body: { name: "Mine" } })).status,
        403,
      );
      const foreign = await call("PATCH", `/api/tenants/${created.body.tenant.id}`, {
        token,
        headers: { "if-match": created.headers.get("etag")! },
        body: { directoryId: FOREIGN_DIRECTORY },
      });
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.field, "directoryId");
      const renamed = await call("PATCH", `/api/tenants/${created.body.tenant.id}`, {
        token,
        headers: { "if-match": created.headers.get("etag")! },
        body: { name: "Northwind Traders" },
      });
      assert.equal(renamed.status, 200);
      const stale = await call("PATCH", `/api/tenants/${created.body.tenant.id}`, {
        token,
        headers: { "if-match": created.headers.get("etag")! },
        body: { name: "Late" },
      });
      assert.equal(stale.status, 412);
      const names = (await call("GET", "/api/tenants", { token })).body.items.map((t: { name: string }) => t.name);
      assert.deepEqual(names, ["Contoso IT", "Fabrikam", "Northwind Traders"]);
    });
  });

  it("serves the tab with a CSP that only Teams and Microsoft 365 may frame, and no CORS", async () => {
    const res = await fetch(`${app.url}/tab/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /frame-ancestors 'self' https:\/\/teams\.microsoft\.com/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.ok(res.headers.get("referrer-policy"));
    const cors = await fetch(`${app.url}/api/me`, { headers: { origin: "https://evil.example" } });
    assert.equal(cors.headers.get("access-control-allow-origin"), null);
  });
});
