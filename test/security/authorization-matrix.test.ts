import assert from "node:assert/strict";
import type { Container } from "@azure/cosmos";
import { requestIdFor } from "../../src/domain/access-request.js";
import type { Assignment, Person } from "../../src/domain/person.js";
import type { Role } from "../../src/domain/roles.js";
import type { StartedApp } from "../../src/index.js";
import type { CosmosStores } from "../../src/store/cosmos-store.js";
import { activities, postActivity } from "../helpers/activities.js";
import { AUDIENCE, DIRECTORY, snapshot, startApiApp } from "../helpers/api-app.js";
import { attack } from "../helpers/attack-ledger.js";
import { aPerson, aRequest } from "../helpers/builders.js";
import { ConnectorSink } from "../helpers/connector-sink.js";
import { TestTokenIssuer } from "../helpers/token-issuer.js";

const ROLES: Role[] = ["customer-user", "msp-user", "customer-admin", "msp-admin"];
type Actor = "MSP Admin" | "MSP User" | "Customer Admin" | "Customer User" | "disabled" | "no access";
type Side = "own" | "other";
type Action =
  "read people" | "read person" | "read audit" | `grant ${Role}` | "disable" | "manage tenants" | `decide ${Role}`;

/**
 * PRODUCT.md's permissions, written out by hand. Each actor acts on people of their own tenant and of
 * another one. Everything not listed is refused.
 */
const ALLOWED: Record<Actor, { own: Action[]; other: Action[]; anywhere: Action[] }> = {
  "MSP Admin": {
    anywhere: ["read people", "manage tenants"],
    own: [
      "read person",
      "read audit",
      ...ROLES.map((r) => `grant ${r}` as Action),
      "disable",
      ...ROLES.map((r) => `decide ${r}` as Action),
    ],
    other: [
      "read person",
      "read audit",
      ...ROLES.map((r) => `grant ${r}` as Action),
      "disable",
      ...ROLES.map((r) => `decide ${r}` as Action),
    ],
  },
  "MSP User": { anywhere: [], own: [], other: [] },
  "Customer Admin": {
    anywhere: ["read people"],
    own: ["read person", "read audit", "grant customer-user", "disable", "decide customer-user"],
    other: [],
  },
  "Customer User": { anywhere: [], own: [], other: [] },
  disabled: { anywhere: [], own: [], other: [] },
  "no access": { anywhere: [], own: [], other: [] },
};

const assignment = (role: Role, tenantIds: string[] | "all"): Assignment => ({
  role,
  tenantAccess: tenantIds === "all" ? { kind: "all" } : { kind: "tenants", tenantIds },
  expiresAt: null,
  grantedBy: { personId: "system", name: "seed" },
  grantedAt: "2026-01-01T00:00:00.000Z",
  justification: null,
  requestId: null,
});

/** Each actor's record, and which tenant is "their own". */
const ACTORS: Record<Actor, { home: string; assignment: Assignment | null; enabled: boolean }> = {
  "MSP Admin": { home: "msp", assignment: assignment("msp-admin", "all"), enabled: true },
  "MSP User": { home: "msp", assignment: assignment("msp-user", "all"), enabled: true },
  "Customer Admin": { home: "fabrikam", assignment: assignment("customer-admin", ["fabrikam"]), enabled: true },
  "Customer User": { home: "fabrikam", assignment: assignment("customer-user", ["fabrikam"]), enabled: true },
  disabled: { home: "msp", assignment: assignment("msp-admin", "all"), enabled: false },
  "no access": { home: "fabrikam", assignment: null, enabled: true },
};
const OTHER: Record<string, string> = { msp: "fabrikam", fabrikam: "northwind" };

describe("security: every role × every action × own and other tenant, through the API and the bot", function () {
  this.timeout(120_000);
  let issuer: TestTokenIssuer;
  let sink: ConnectorSink;
  let app: StartedApp;
  let stores: CosmosStores;
  let container: Container;
  const people: Partial<Record<Actor, Person>> = {};
  let allowedCount = 0;

  before(async () => {
    [issuer, sink] = await Promise.all([TestTokenIssuer.start(), ConnectorSink.start()]);
    ({ app, stores, container } = await startApiApp(issuer, { API_LIMIT_PER_MINUTE: "100000" }));
    for (const t of [
      { id: "fabrikam", name: "Fabrikam" },
      { id: "northwind", name: "Northwind" },
    ]) {
      await stores.tenants.create({ ...t, kind: "customer", directoryId: null, createdAt: "2026-01-01T00:00:00.000Z" });
    }
    for (const [name, a] of Object.entries(ACTORS) as Array<[Actor, (typeof ACTORS)[Actor]]>) {
      const p = aPerson({
        directoryId: DIRECTORY,
        name,
        homeTenantId: a.home,
        assignment: a.assignment,
        enabled: a.enabled,
      });
      await stores.people.create(p);
      people[name] = p;
    }
  });
  after(async () => {
    await app?.close();
    await Promise.all([issuer?.close(), sink?.close()]);
    assert.ok(allowedCount > 0);
  });

  /** A fresh person without access in a tenant (with a pending request, for decisions). */
  const target = async (tenantId: string, withRequest = false) => {
    let p = aPerson({ directoryId: DIRECTORY, name: `Target in ${tenantId}`, homeTenantId: tenantId });
    if (withRequest) {
      const request = aRequest(p, { createdAt: new Date().toISOString() });
      await stores.requests.create(request);
      p = { ...p, pendingRequest: { requestId: request.id, createdAt: request.createdAt }, requestSeq: 1 };
    }
    await stores.people.create(p);
    return p;
  };
  const tokenOf = (actor: Actor) =>
    issuer.token({ objectId: people[actor]!.objectId, directoryId: DIRECTORY }, AUDIENCE);
  const api = async (actor: Actor, method: string, path: string, body?: unknown, etag?: string) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenOf(actor)}`,
        ...(body ? { "content-type": "application/json" } : {}),
        ...(etag ? { "if-match": etag } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    await res.text();
    return res.status;
  };
  const etagOf = async (personId: string) => (await stores.people.get(personId))!.etag;
  const grantBody = (role: Role, tenantId: string) => ({
    role,
    tenantAccess: role === "msp-admin" || role === "msp-user" ? "all" : [tenantId],
    expiry: "never",
    reason: "matrix",
  });

  /** Runs one cell: an allowed action must succeed; a refused one is an attack that must change nothing. */
  const cell = async (label: string, allowed: boolean, run: () => Promise<boolean>) => {
    if (allowed) {
      assert.equal(await run(), true, `${label} should be allowed`);
      allowedCount++;
    } else {
      const settled = async () => {
        await app.idle();
        return snapshot(container);
      };
      await attack(label, settled, async () => !(await run()));
    }
  };

  for (const actor of Object.keys(ACTORS) as Actor[]) {
    it(`${actor}: the API allows exactly what PRODUCT.md says`, async () => {
      const rules = ALLOWED[actor];
      await cell(
        `${actor} · read people`,
        rules.anywhere.includes("read people"),
        async () => (await api(actor, "GET", "/api/people")) === 200,
      );
      await cell(
        `${actor} · manage tenants`,
        rules.anywhere.includes("manage tenants"),
        async () => (await api(actor, "POST", "/api/tenants", { name: `Tenant by ${actor} ${Math.random()}` })) === 201,
      );
      for (const side of ["own", "other"] as Side[]) {
        const tenant = side === "own" ? ACTORS[actor].home : OTHER[ACTORS[actor].home]!;
        const allowed = (a: Action) => rules[side].includes(a);
        const viewed = await target(tenant);
        await cell(
          `${actor} · read person · ${side}`,
          allowed("read person"),
          async () => (await api(actor, "GET", `/api/people/${viewed.personId}`)) === 200,
        );
        await cell(
          `${actor} · read audit · ${side}`,
          allowed("read audit"),
          async () => (await api(actor, "GET", `/api/people/${viewed.personId}`)) === 200,
        );
        for (const role of ROLES) {
          const p = await target(tenant);
          await cell(
            `${actor} · grant ${role} · ${side}`,
            allowed(`grant ${role}`),
            async () =>
              (await api(
                actor,
                "POST",
                `/api/people/${p.personId}/grant`,
                grantBody(role, tenant),
                await etagOf(p.personId),
              )) === 200,
          );
          const r = await target(tenant, true);
          const { reason: _, ...approval } = grantBody(role, tenant);
          await cell(
            `${actor} · decide ${role} (API) · ${side}`,
            allowed(`decide ${role}`),
            async () =>
              (await api(actor, "POST", `/api/requests/${requestIdFor(r.personId, 1)}/approve`, approval)) === 200,
          );
        }
        const d = await target(tenant);
        await cell(
          `${actor} · disable · ${side}`,
          allowed("disable"),
          async () =>
            (await api(
              actor,
              "POST",
              `/api/people/${d.personId}/disable`,
              { reason: "matrix" },
              await etagOf(d.personId),
            )) === 200,
        );
      }
    });

    it(`${actor}: the bot's decision card allows exactly what PRODUCT.md says`, async () => {
      const me = people[actor]!;
      for (const side of ["own", "other"] as Side[]) {
        const tenant = side === "own" ? ACTORS[actor].home : OTHER[ACTORS[actor].home]!;
        for (const role of ROLES) {
          const r = await target(tenant, true);
          const from = { id: `29:${me.personId}`, aadObjectId: me.objectId, name: actor };
          const click = activities.invoke(
            { serviceUrl: sink.url, tenantId: DIRECTORY, botId: "28:access-desk", from },
            "approveRequest",
            {
              requestId: requestIdFor(r.personId, 1),
              ...grantBody(role, tenant),
              tenantAccess: role.startsWith("msp") ? "all" : tenant,
              reason: undefined,
            },
          );
          await cell(
            `${actor} · decide ${role} (card) · ${side}`,
            ALLOWED[actor][side].includes(`decide ${role}`),
            async () => {
              const reply = await postActivity(app.url, click);
              return (
                reply.status === 200 &&
                /Approved by/.test(JSON.stringify(reply.body)) &&
                !/Not done/.test(JSON.stringify(reply.body))
              );
            },
          );
        }
      }
    });
  }
});
