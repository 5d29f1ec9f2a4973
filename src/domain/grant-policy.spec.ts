import assert from "node:assert/strict";
import { aPerson, aRequest } from "../../test/helpers/builders.js";
import type { Grant } from "./access-request.js";
import { DomainError } from "./errors.js";
import {
  can,
  checkDecision,
  checkGrant,
  defaultRoleFor,
  normalizeTenantAccess,
  rolesGrantableBy,
  type Actor,
} from "./grant-policy.js";
import type { Person } from "./person.js";
import { ROLES, type Role } from "./roles.js";
import type { TenantAccess } from "./tenant.js";

const now = new Date("2026-03-01T09:00:00.000Z");
const A = "tenant-a";
const B = "tenant-b";

const actorWith = (role: Role | null, access: TenantAccess, extra: Partial<Person> = {}): Actor =>
  aPerson({
    homeTenantId: A,
    assignment:
      role === null
        ? null
        : {
            role,
            tenantAccess: access,
            expiresAt: null,
            grantedBy: { personId: "system", name: "Access Desk" },
            grantedAt: "2026-01-01T00:00:00.000Z",
            justification: null,
            requestId: null,
          },
    ...extra,
  });

const actors: Record<string, Actor> = {
  "MSP Admin": actorWith("msp-admin", { kind: "all" }),
  "MSP User": actorWith("msp-user", { kind: "all" }),
  "Customer Admin": actorWith("customer-admin", { kind: "tenants", tenantIds: [A] }),
  "Customer User": actorWith("customer-user", { kind: "tenants", tenantIds: [A] }),
  "disabled MSP Admin": actorWith("msp-admin", { kind: "all" }, { enabled: false }),
  "expired MSP Admin": (() => {
    const a = actorWith("msp-admin", { kind: "all" });
    return { ...a, assignment: { ...a.assignment!, expiresAt: "2026-02-28T00:00:00.000Z" } };
  })(),
  "no access": actorWith(null, { kind: "all" }),
};

// PRODUCT.md, written out by hand: which roles each actor may grant on a request from their own
// tenant (A) and from another tenant (B). Everything not listed is refused.
const ALLOWED: Record<string, { own: Role[]; other: Role[] }> = {
  "MSP Admin": { own: [...ROLES], other: [...ROLES] },
  "MSP User": { own: [], other: [] },
  "Customer Admin": { own: ["customer-user"], other: [] },
  "Customer User": { own: [], other: [] },
  "disabled MSP Admin": { own: [], other: [] },
  "expired MSP Admin": { own: [], other: [] },
  "no access": { own: [], other: [] },
};

const grantFor = (role: Role, tenantId: string): Grant => ({
  role,
  tenantAccess: normalizeTenantAccess(role, { kind: "tenants", tenantIds: [tenantId] }),
  expiresAt: null,
});

const refusedWith = (reason?: string) => (e: unknown) =>
  e instanceof DomainError && e.code === "not-allowed" && (reason === undefined || e.details.reason === reason);

describe("grant policy", () => {
  for (const [name, actor] of Object.entries(actors)) {
    for (const [side, tenantId] of [
      ["own", A],
      ["other", B],
    ] as const) {
      const request = aRequest(aPerson({ homeTenantId: tenantId }));
      for (const role of ROLES) {
        const allowed = ALLOWED[name]![side].includes(role);
        it(`${name} ${allowed ? "may" : "may not"} approve ${role} for a request from the ${side} tenant`, () => {
          const decide = () => checkDecision(actor, request, grantFor(role, tenantId), now);
          if (allowed) assert.doesNotThrow(decide);
          else assert.throws(decide, refusedWith());
        });
      }
      const mayDeny = ALLOWED[name]![side].length > 0;
      it(`${name} ${mayDeny ? "may" : "may not"} deny a request from the ${side} tenant`, () => {
        const deny = () => checkDecision(actor, request, null, now);
        if (mayDeny) assert.doesNotThrow(deny);
        else assert.throws(deny, refusedWith());
      });
    }
  }

  it("refuses to let anyone decide their own request, even an MSP Admin", () => {
    const admin = actors["MSP Admin"]!;
    const own = aRequest(aPerson({ personId: admin.personId, homeTenantId: A }));
    assert.throws(() => checkDecision(admin, own, null, now), refusedWith("self-decision"));
  });

  it("refuses a Customer Admin granting a tenant they do not manage", () => {
    const customerAdmin = actors["Customer Admin"]!;
    assert.throws(
      () =>
        checkGrant(customerAdmin, { role: "customer-user", tenantAccess: { kind: "tenants", tenantIds: [B] } }, now),
      refusedWith("tenant-outside-scope"),
    );
    assert.throws(
      () => checkGrant(customerAdmin, { role: "customer-user", tenantAccess: { kind: "all" } }, now),
      refusedWith(),
    );
  });

  it("lists grantable roles least privileged first", () => {
    assert.deepEqual(rolesGrantableBy(actors["MSP Admin"]!, now), [
      "customer-user",
      "msp-user",
      "customer-admin",
      "msp-admin",
    ]);
    assert.deepEqual(rolesGrantableBy(actors["Customer Admin"]!, now), ["customer-user"]);
    assert.deepEqual(rolesGrantableBy(actors["MSP User"]!, now), []);
    assert.deepEqual(rolesGrantableBy(actors["disabled MSP Admin"]!, now), []);
  });

  it("scopes permissions by tenant: a Customer Admin reads only their own tenant's people", () => {
    const customerAdmin = actors["Customer Admin"]!;
    assert.equal(can(customerAdmin, "people.read", { tenantId: A }, now), true);
    assert.equal(can(customerAdmin, "people.read", { tenantId: B }, now), false);
    assert.equal(can(customerAdmin, "people.read", { tenantId: null }, now), false);
    assert.equal(can(customerAdmin, "tenants.manage", null, now), false);
    assert.equal(can(actors["MSP Admin"]!, "people.read", { tenantId: null }, now), true);
  });

  it("shapes tenant access by role: MSP Admin all, customer roles exactly one tenant", () => {
    assert.deepEqual(normalizeTenantAccess("msp-admin", { kind: "tenants", tenantIds: [A] }), { kind: "all" });
    assert.deepEqual(normalizeTenantAccess("msp-user", { kind: "tenants", tenantIds: [A, B, A] }), {
      kind: "tenants",
      tenantIds: [A, B],
    });
    assert.deepEqual(normalizeTenantAccess("msp-user", { kind: "all" }), { kind: "all" });
    const invalidAccess = (e: unknown) => e instanceof DomainError && e.code === "invalid";
    assert.throws(() => normalizeTenantAccess("customer-user", { kind: "all" }), invalidAccess);
    assert.throws(() => normalizeTenantAccess("customer-admin", { kind: "tenants", tenantIds: [A, B] }), invalidAccess);
    assert.throws(() => normalizeTenantAccess("msp-user", { kind: "tenants", tenantIds: [] }), invalidAccess);
  });

  it("proposes the least privileged role for the requester's side", () => {
    assert.equal(defaultRoleFor({ kind: "msp" }), "msp-user");
    assert.equal(defaultRoleFor({ kind: "customer" }), "customer-user");
    assert.equal(defaultRoleFor(undefined), "customer-user");
  });
});
