import assert from "node:assert/strict";
import { aPerson, aRequest } from "../../../test/helpers/builders.js";
import { parseWithSdk } from "../../../test/helpers/adaptive-cards.js";
import { cardText } from "../../../test/helpers/playground-client.js";
import { transition } from "../../domain/access-request.js";
import type { Tenant } from "../../domain/tenant.js";
import { helpCard } from "./help-card.js";
import { pendingCard } from "./pending-card.js";
import {
  alreadyPendingCard,
  decisionNoticeCard,
  noAdminChannelCard,
  noticeCard,
  requestSentCard,
} from "./personal-cards.js";
import { directoryOffboardingCard } from "./governance-cards.js";
import { requestCard } from "./request-card.js";
import { welcomeCard } from "./welcome-card.js";
import { plain } from "./card-types.js";

const now = new Date("2026-03-01T09:00:00.000Z");
const tenants: Tenant[] = [
  { id: "msp", name: "Contoso IT", kind: "msp", directoryId: "d1", createdAt: "2026-01-01T00:00:00.000Z" },
  { id: "fabrikam", name: "Fabrikam", kind: "customer", directoryId: null, createdAt: "2026-01-01T00:00:00.000Z" },
];
const admin = { personId: "22222222-2222-4222-8222-222222222222", name: "Megan Bowen" };
const person = aPerson({ name: "Adele Vance", upn: "adelev@contoso.example" });
const pending = aRequest(person, {
  justification: "I handle [Fabrikam](https://evil.example) tickets",
  wishedRole: "customer-admin",
});
const approved = transition(pending, {
  type: "approve",
  by: admin,
  at: now.toISOString(),
  grant: {
    role: "msp-user",
    tenantAccess: { kind: "tenants", tenantIds: ["fabrikam"] },
    expiresAt: "2026-03-31T09:00:00.000Z",
  },
  comment: "Welcome",
});
const denied = transition(pending, { type: "deny", by: admin, at: now.toISOString(), reason: "Not on the team" });
const identity = {
  objectId: person.objectId,
  directoryId: person.directoryId,
  name: "Adele Vance",
  upn: "adelev@contoso.example",
  email: null,
};

const OPEN = { open: true, contact: "the service desk" };

describe("cards (parsed by the Adaptive Cards SDK)", () => {
  it("welcome card when self-registration is off: no form, and whom to contact", () => {
    const card = welcomeCard(
      {
        identity,
        person: null,
        role: null,
        tenants,
        extendable: false,
        requests: { open: false, contact: "it@contoso.example" },
      },
      now,
    );
    assert.deepEqual(parseWithSdk(card).verbs, []);
    assert.match(cardText(card), /not taking new requests.*it@contoso\.example/);
  });

  it("welcome card for a user whose access ends soon: a request form pre-filled with the current role", () => {
    const user = {
      ...person,
      assignment: {
        role: "msp-user" as const,
        tenantAccess: { kind: "all" as const },
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
        grantedBy: admin,
        grantedAt: new Date(now.getTime() - 86_400_000).toISOString(),
        justification: "x",
        requestId: null,
      },
    };
    const card = welcomeCard(
      { identity, person: user, role: "msp-user", tenants, extendable: true, requests: OPEN },
      now,
    );
    const parsed = parseWithSdk(card);
    assert.deepEqual(parsed.verbs, ["submitRequest"]);
    const inputs = (card.body as Array<{ id?: string; value?: string }>).filter((e) => e.id);
    assert.equal(inputs.find((e) => e.id === "wishedRole")?.value, "msp-user");
    assert.match(
      String(inputs.find((e) => e.id === "justification")?.value),
      /extend my MSP User access \(All tenants\)/,
    );
  });

  it("welcome card for someone without access: identity, and the request form", () => {
    const card = welcomeCard({ identity, person: null, role: null, tenants, extendable: false, requests: OPEN }, now);
    const parsed = parseWithSdk(card);
    assert.deepEqual(parsed.verbs, ["submitRequest"]);
    assert.deepEqual(parsed.inputIds, ["justification", "wishedRole"]);
    const shown = cardText(card);
    for (const expected of [
      "Adele Vance",
      "adelev@contoso.example",
      person.objectId,
      person.directoryId,
      "You do not have access yet",
    ]) {
      assert.ok(shown.includes(plain(expected)) || shown.includes(expected), `shows ${expected}`);
    }
  });

  it("welcome card for a user: role, tenant access, expiry, and no form", () => {
    const user = {
      ...person,
      assignment: {
        role: "msp-user" as const,
        tenantAccess: { kind: "all" as const },
        expiresAt: null,
        grantedBy: admin,
        grantedAt: now.toISOString(),
        justification: "x",
        requestId: null,
      },
    };
    const card = welcomeCard(
      { identity, person: user, role: "msp-user", tenants, extendable: false, requests: OPEN },
      now,
    );
    assert.deepEqual(parseWithSdk(card).verbs, []);
    const shown = cardText(card);
    assert.match(shown, /Role: MSP User/);
    assert.match(shown, /Tenant access: All tenants/);
    assert.match(shown, /Expires: Never/);
  });

  it("pending request card: pickers for role (least privileged proposed), tenant access and expiry; approve and deny", () => {
    const card = requestCard(pending, tenants);
    const parsed = parseWithSdk(card);
    assert.deepEqual(parsed.verbs, ["approveRequest", "denyRequest"]);
    assert.deepEqual(parsed.inputIds, ["role", "tenantAccess", "expiry", "note"]);
    assert.deepEqual(parsed.actionData, [{ requestId: pending.id }, { requestId: pending.id }]);
    const role = (
      card.body as Array<{
        type: string;
        items?: Array<{ id?: string; value?: string; choices?: Array<{ value: string }> }>;
      }>
    )
      .flatMap((e) => e.items ?? [])
      .find((i) => i.id === "role")!;
    assert.equal(
      role.value,
      "msp-user",
      "home tenant is the MSP's: MSP User is proposed, not the wished Customer Admin",
    );
    assert.deepEqual(
      role.choices!.map((c) => c.value),
      ["customer-user", "msp-user", "customer-admin", "msp-admin"],
    );
    const expiry = (card.body as Array<{ items?: Array<{ id?: string; choices?: Array<{ value: string }> }> }>)
      .flatMap((e) => e.items ?? [])
      .find((i) => i.id === "expiry")!;
    assert.deepEqual(
      expiry.choices!.map((c) => c.value),
      ["never", "1h", "1d", "3d", "7d", "30d", "90d"],
    );
    assert.ok(
      cardText(card).includes("\\[Fabrikam\\]\\(https://evil.example\\)"),
      "a link in the justification is shown, not rendered",
    );
  });

  it("decided request card: the outcome, who and when, and no buttons", () => {
    const a = requestCard(approved, tenants);
    assert.deepEqual(parseWithSdk(a).verbs, []);
    assert.match(cardText(a), /Approved by: Megan Bowen/);
    assert.match(cardText(a), /Tenant access: Fabrikam/);
    const d = requestCard(denied, tenants, "Already denied by Megan Bowen");
    assert.deepEqual(parseWithSdk(d).verbs, []);
    assert.match(cardText(d), /Reason: Not on the team/);
    assert.match(cardText(d), /Already denied by Megan Bowen/);
  });

  it("personal notices, pending list, help and refusals parse and say what happened", () => {
    assert.match(cardText(decisionNoticeCard(approved, tenants)), /approved/);
    assert.match(cardText(decisionNoticeCard(denied, tenants)), /Reason: Not on the team/);
    assert.match(cardText(requestSentCard(pending, false)), /no admins channel/);
    assert.match(cardText(pendingCard([pending], false, true)), /Adele Vance/);
    assert.match(cardText(pendingCard([], false, true)), /Nothing is waiting/);
    for (const card of [
      decisionNoticeCard(approved, tenants),
      decisionNoticeCard(denied, tenants),
      requestSentCard(pending, true),
      alreadyPendingCard(pending),
      noAdminChannelCard(pending),
      pendingCard([pending, aRequest(aPerson())], true, false),
      helpCard(true),
      helpCard(false),
      noticeCard("Not done", "Only admins may decide access requests.", "attention"),
    ]) {
      assert.deepEqual(parseWithSdk(card).verbs, []);
    }
  });

  it("a request closed because its requester was offboarded says so, and why, without buttons", () => {
    const closed = transition(pending, {
      type: "cancel",
      by: { personId: "system", name: "Access Desk" },
      at: now.toISOString(),
      reason: "Account deleted in Entra ID (directory sync): access removed",
    });
    const card = requestCard(closed, tenants);
    assert.deepEqual(parseWithSdk(card).verbs, []);
    const shown = cardText(card);
    assert.match(shown, /Closed: the requester was offboarded/);
    assert.match(shown, /Account deleted in Entra ID/);
    assert.doesNotMatch(shown, /Cancelled by the requester/);
  });

  it("directory sync's note names the first twenty people, what they lost, and counts the rest", () => {
    const change = (n: number, reason: "disabled" | "deleted" | "re-enabled") => ({
      personId: `p${n}`,
      name: `Person *${n}*`,
      upn: `p${n}@contoso.example`,
      reason,
      assignment:
        reason === "disabled"
          ? {
              role: "customer-user" as const,
              tenantAccess: { kind: "tenants" as const, tenantIds: ["fabrikam"] },
              expiresAt: null,
              grantedBy: admin,
              grantedAt: now.toISOString(),
              justification: null,
              requestId: null,
            }
          : null,
      requestClosed: reason === "deleted",
    });
    const changes = [
      change(1, "disabled"),
      change(2, "deleted"),
      change(3, "re-enabled"),
      ...Array.from({ length: 22 }, (_, i) => change(10 + i, "disabled")),
    ];
    const card = directoryOffboardingCard(changes, changes.length, tenants);
    assert.deepEqual(parseWithSdk(card).verbs, []);
    const shown = cardText(card);
    assert.match(shown, /Directory sync offboarded 24 people/);
    assert.match(shown, /Person \\\*1\\\*.*account disabled in Entra ID · lost Customer User \(Fabrikam\)/);
    assert.match(shown, /account deleted in Entra ID · waiting request closed/);
    assert.match(shown, /account enabled again in Entra ID; no access given back/);
    assert.match(shown, /… and 5 more: see the Audit page/);
    assert.doesNotMatch(shown, /Person \\\*27\\\*/, "only the first twenty are named");
    const back = cardText(directoryOffboardingCard([change(3, "re-enabled")], 1, tenants));
    assert.match(back, /Directory sync enabled 1 person again/);
  });
});
