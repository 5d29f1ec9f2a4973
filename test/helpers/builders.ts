import { randomUUID } from "node:crypto";
import { newAccessRequest, type AccessRequest } from "../../src/domain/access-request.js";
import type { Assignment, Person } from "../../src/domain/person.js";

/** A person record as the app would store it, with overridable fields. */
export const aPerson = (overrides: Partial<Person> = {}): Person => {
  const id = overrides.personId ?? randomUUID();
  return {
    id,
    personId: id,
    type: "person",
    objectId: id,
    directoryId: "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b",
    name: "Test Person",
    upn: "test.person@contoso.example",
    email: "test.person@contoso.example",
    source: "self-registration",
    homeTenantId: "msp",
    enabled: true,
    assignment: null,
    pendingRequest: null,
    requestSeq: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
};

/** An MSP Admin's assignment as a seed would grant it (all tenants, no expiry), with overridable fields. */
export const anMspAdminAssignment = (overrides: Partial<Assignment> = {}): Assignment => ({
  role: "msp-admin",
  tenantAccess: { kind: "all" },
  expiresAt: null,
  grantedBy: { personId: "system", name: "seed" },
  grantedAt: "2026-01-01T00:00:00.000Z",
  justification: null,
  requestId: null,
  ...overrides,
});

/** A pending request for a person, with overridable fields. */
export const aRequest = (person: Person, overrides: Partial<AccessRequest> = {}): AccessRequest => ({
  ...newAccessRequest(person, overrides.seq ?? 1, "I run the service desk", null, "2026-01-01T00:00:00.000Z"),
  ...overrides,
});
