import type { AccessRequest, Decision } from "../../domain/access-request.js";
import { EXPIRY_CHOICES, EXPIRY_CHOICE_IDS } from "../../domain/expiry.js";
import { defaultRoleFor } from "../../domain/grant-policy.js";
import { SYSTEM_ACTOR } from "../../domain/person.js";
import { ROLES_BY_PRIVILEGE, roleLabel } from "../../domain/roles.js";
import { describeTenantAccess, type Tenant } from "../../domain/tenant.js";
import { JUSTIFICATION_MAX, REASON_MAX } from "../../domain/text.js";
import { DECISION_INPUTS, VERBS } from "../verbs.js";
import { adaptiveCard, facts, heading, plain, text, when, type AdaptiveCard, type Element } from "./card-types.js";

const tenantName = (tenants: readonly Tenant[], id: string | null) =>
  id === null ? "None (directory not linked to a tenant)" : (tenants.find((t) => t.id === id)?.name ?? id);

const requesterFacts = (request: AccessRequest, tenants: readonly Tenant[]) =>
  facts([
    ["Name", plain(request.requester.name || "(unknown)")],
    ["UPN", request.requester.upn ? plain(request.requester.upn) : "(unknown)"],
    ["Email", request.requester.email ? plain(request.requester.email) : null],
    ["Object id", request.requester.objectId],
    ["Directory", request.requester.directoryId],
    ["Tenant", plain(tenantName(tenants, request.homeTenantId))],
    ["Wished role", request.wishedRole ? roleLabel(request.wishedRole) : "No preference"],
    ["Requested", when(request.createdAt)],
  ]);

const outcomeTitle: Record<Decision["outcome"], string> = {
  approved: "Approved",
  denied: "Denied",
  cancelled: "Cancelled by the requester",
  expired: "Expired without a decision",
};

/** A request the system closed (its requester was offboarded) does not claim the requester cancelled it. */
const titleOf = (decision: Decision): string =>
  decision.outcome === "cancelled" && decision.by.personId === SYSTEM_ACTOR.personId
    ? "Closed: the requester was offboarded"
    : outcomeTitle[decision.outcome];

const decisionFacts = (decision: Decision, tenants: readonly Tenant[]) => {
  const who = plain(decision.by.name);
  switch (decision.outcome) {
    case "approved":
      return facts([
        ["Role", roleLabel(decision.grant.role)],
        ["Tenant access", plain(describeTenantAccess(decision.grant.tenantAccess, tenants))],
        ["Expires", decision.grant.expiresAt ? when(decision.grant.expiresAt) : "Never"],
        ["Approved by", who],
        ["Approved", when(decision.at)],
        ["Comment", decision.comment ? plain(decision.comment) : null],
      ]);
    case "denied":
      return facts([
        ["Denied by", who],
        ["Denied", when(decision.at)],
        ["Reason", plain(decision.reason)],
      ]);
    case "cancelled":
      return facts([
        ["Cancelled", when(decision.at)],
        ["Reason", decision.reason ? plain(decision.reason) : null],
      ]);
    case "expired":
      return facts([["Expired", when(decision.at)]]);
  }
};

/** The inputs an admin decides with: role (least privileged proposed), tenant access, expiry, note. */
const decisionInputs = (request: AccessRequest, tenants: readonly Tenant[]): Element[] => {
  const home = tenants.find((t) => t.id === request.homeTenantId);
  return [
    {
      type: "Input.ChoiceSet",
      id: DECISION_INPUTS.role,
      label: "Role",
      style: "compact",
      isRequired: true,
      errorMessage: "Choose a role.",
      value: defaultRoleFor(home),
      choices: ROLES_BY_PRIVILEGE.map((r) => ({ title: roleLabel(r), value: r })),
    },
    {
      type: "Input.ChoiceSet",
      id: DECISION_INPUTS.tenantAccess,
      label: "Tenant access",
      style: "compact",
      isMultiSelect: true,
      isRequired: true,
      errorMessage: "Choose all tenants or at least one tenant.",
      value: home ? home.id : "all",
      choices: [{ title: "All tenants", value: "all" }, ...tenants.map((t) => ({ title: t.name, value: t.id }))],
    },
    {
      type: "Input.ChoiceSet",
      id: DECISION_INPUTS.expiry,
      label: "Access expires",
      style: "compact",
      isRequired: true,
      errorMessage: "Choose when access ends.",
      value: "never",
      choices: EXPIRY_CHOICE_IDS.map((id) => ({ title: EXPIRY_CHOICES[id].label, value: id })),
    },
    {
      type: "Input.Text",
      id: DECISION_INPUTS.note,
      label: "Comment to the requester (required to deny)",
      isMultiline: true,
      maxLength: REASON_MAX,
      placeholder: "Optional when approving",
    },
  ];
};

/**
 * The admins-channel card for one request: the decision form while pending; afterwards the outcome,
 * with no buttons left. `notice` explains why someone sees this view (for example, someone else decided first).
 */
export const requestCard = (request: AccessRequest, tenants: readonly Tenant[], notice?: string): AdaptiveCard => {
  const notices: Element[] = notice ? [text(notice, { color: "Warning", weight: "Bolder" })] : [];
  const body: Element[] = [
    heading(request.status === "pending" ? "Access request" : `Access request: ${titleOf(request.decision!)}`),
    ...notices,
    requesterFacts(request, tenants),
    text("Justification", { weight: "Bolder", spacing: "Medium" }),
    text(plain(request.justification.slice(0, JUSTIFICATION_MAX))),
  ];
  if (request.status !== "pending") {
    return adaptiveCard([
      ...body,
      { type: "Container", separator: true, spacing: "Medium", items: [decisionFacts(request.decision!, tenants)] },
    ]);
  }
  const data = { requestId: request.id };
  return adaptiveCard(
    [...body, { type: "Container", separator: true, spacing: "Medium", items: decisionInputs(request, tenants) }],
    [
      {
        type: "Action.Execute",
        title: "Approve",
        verb: VERBS.approveRequest,
        data,
        style: "positive",
        associatedInputs: "auto",
      },
      {
        type: "Action.Execute",
        title: "Deny",
        verb: VERBS.denyRequest,
        data,
        style: "destructive",
        associatedInputs: "auto",
      },
    ],
  );
};
