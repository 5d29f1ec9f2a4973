import assert from "node:assert/strict";
import { aPerson, aRequest } from "../../test/helpers/builders.js";
import {
  personIdOfRequest,
  requestIdFor,
  transition,
  type AccessRequest,
  type RequestEvent,
} from "./access-request.js";
import { DomainError } from "./errors.js";

const admin = { personId: "22222222-2222-4222-8222-222222222222", name: "Megan Bowen" };
const at = "2026-03-01T09:00:00.000Z";
const grant = { role: "msp-user" as const, tenantAccess: { kind: "all" as const }, expiresAt: null };

const events = (requester: string): Record<string, RequestEvent> => ({
  approve: { type: "approve", by: admin, at, grant, comment: null },
  deny: { type: "deny", by: admin, at, reason: "Not on the team" },
  cancel: { type: "cancel", by: { personId: requester, name: "Adele" }, at },
});

describe("access request state machine", () => {
  const person = aPerson();
  const pending = aRequest(person);

  it("approves a pending request with the grant, who and when, and leaves follow-ups to do", () => {
    const next = transition(pending, events(person.personId).approve!);
    assert.equal(next.status, "approved");
    assert.deepEqual(next.decision, { outcome: "approved", by: admin, at, grant, comment: null });
    assert.equal(next.unfinished, true);
    assert.deepEqual(next.followUps, { person: false, audit: false, card: false, requester: false });
    assert.equal(pending.status, "pending", "the input is not mutated");
  });

  it("denies with the reason", () => {
    const next = transition(pending, events(person.personId).deny!);
    assert.equal(next.status, "denied");
    assert.equal(next.decision?.outcome === "denied" && next.decision.reason, "Not on the team");
  });

  it("lets only the requester cancel", () => {
    assert.equal(transition(pending, events(person.personId).cancel!).status, "cancelled");
    assert.throws(
      () => transition(pending, { type: "cancel", by: admin, at }),
      (e: unknown) => e instanceof DomainError && e.code === "not-allowed",
    );
  });

  it("lets the system close the request of someone offboarded, with the reason on the decision", () => {
    const next = transition(pending, {
      type: "cancel",
      by: { personId: "system", name: "Access Desk" },
      at,
      reason: "Account disabled in Entra ID",
    });
    assert.equal(next.status, "cancelled");
    assert.deepEqual(next.decision, {
      outcome: "cancelled",
      by: { personId: "system", name: "Access Desk" },
      at,
      reason: "Account disabled in Entra ID",
    });
  });

  for (const decided of ["approve", "deny", "cancel"] as const) {
    for (const second of ["approve", "deny", "cancel"] as const) {
      it(`refuses to ${second} a request already moved by ${decided}, naming who and when`, () => {
        const first: AccessRequest = transition(pending, events(person.personId)[decided]!);
        assert.throws(
          () => transition(first, events(person.personId)[second]!),
          (e: unknown) =>
            e instanceof DomainError &&
            e.code === "already-decided" &&
            e.message.includes(first.decision!.by.name) &&
            e.message.includes(at),
        );
      });
    }
  }

  it("derives deterministic request ids and parses them back", () => {
    const id = requestIdFor(person.personId, 12);
    assert.equal(id, `${person.personId}-r12`);
    assert.equal(personIdOfRequest(id), person.personId);
    for (const bad of [
      "",
      "x-r1",
      `${person.personId}-r0`,
      `${person.personId}-r1; DROP`,
      `../${person.personId}-r1`,
    ]) {
      assert.equal(personIdOfRequest(bad), undefined, bad);
    }
  });
});
