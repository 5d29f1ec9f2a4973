import { activeRole, type Person } from "../../domain/person.js";
import { ROLES_BY_PRIVILEGE, roleLabel } from "../../domain/roles.js";
import { describeTenantAccess } from "../../domain/tenant.js";
import { JUSTIFICATION_MAX } from "../../domain/text.js";
import type { AccessStatus } from "../../services/get-access-status.js";
import { REQUEST_INPUTS, VERBS } from "../verbs.js";
import {
  adaptiveCard,
  facts,
  type Action,
  heading,
  plain,
  text,
  when,
  type AdaptiveCard,
  type Element,
} from "./card-types.js";

const accessFacts = (status: AccessStatus, now: Date): Element[] => {
  const person: Person | null = status.person;
  if (person && !person.enabled) {
    return [text("Your account is disabled. Ask an administrator if you need access again.", { color: "Attention" })];
  }
  const a = person?.assignment;
  if (person && a && activeRole(person, now)) {
    return [
      text("You have access.", { color: "Good", weight: "Bolder" }),
      facts([
        ["Role", roleLabel(a.role)],
        ["Tenant access", plain(describeTenantAccess(a.tenantAccess, status.tenants))],
        ["Expires", a.expiresAt ? when(a.expiresAt) : "Never"],
        ["Granted by", plain(a.grantedBy.name)],
        ["Granted", when(a.grantedAt)],
      ]),
    ];
  }
  if (person?.pendingRequest) {
    return [
      text(`Your access request is waiting for an admin (sent ${when(person.pendingRequest.createdAt)}).`, {
        color: "Warning",
      }),
      text("Type **cancel** to withdraw it.", { isSubtle: true }),
    ];
  }
  if (a) return [text(`Your access ended ${a.expiresAt ? when(a.expiresAt) : ""}. You can ask for it again below.`)];
  return [text("You do not have access yet.")];
};

/** The form a person asks for access with: a justification and, optionally, the role they hope for. */
export const requestForm = (prefill?: { justification: string; wishedRole: string }): Element[] => [
  {
    type: "Input.Text",
    id: REQUEST_INPUTS.justification,
    label: "Why do you need access?",
    placeholder: "For example: I joined the service desk and handle Fabrikam's tickets.",
    isMultiline: true,
    isRequired: true,
    maxLength: JUSTIFICATION_MAX,
    errorMessage: `A justification of 1 to ${JUSTIFICATION_MAX} characters is required.`,
    ...(prefill ? { value: prefill.justification } : {}),
  },
  {
    type: "Input.ChoiceSet",
    id: REQUEST_INPUTS.wishedRole,
    label: "Role you need (optional: an admin decides)",
    style: "compact",
    placeholder: "No preference",
    choices: ROLES_BY_PRIVILEGE.map((r) => ({ title: roleLabel(r), value: r })),
    ...(prefill ? { value: prefill.wishedRole } : {}),
  },
];

const requestAction = (title: string): Action => ({
  type: "Action.Execute",
  title,
  verb: VERBS.submitRequest,
  data: {},
  style: "positive",
  associatedInputs: "auto",
});

/**
 * Who the person is (as Teams and Entra ID report it), what access they have, and, when they have
 * none and nothing is pending, the request form.
 */
export const welcomeCard = (status: AccessStatus, now: Date, greeting = true, notice?: string): AdaptiveCard => {
  const id = status.identity;
  const name = status.person?.name || id.name || null;
  const upn = status.person?.upn || id.upn || null;
  const person = status.person;
  const canRequest = !(person && (!person.enabled || person.pendingRequest || activeRole(person, now)));
  const body: Element[] = [
    heading(greeting ? `Welcome to Access Desk${name ? `, ${plain(name)}` : ""}` : "Your access"),
    ...(notice ? [text(notice, { color: "Attention", weight: "Bolder" })] : []),
    facts([
      ["Name", name ? plain(name) : "(unknown)"],
      ["UPN", upn ? plain(upn) : "(unknown)"],
      ["Entra object id", id.objectId],
      ["Directory id", id.directoryId],
    ]),
    ...accessFacts(status, now),
  ];
  const a = person?.assignment;
  if (status.extendable && a && !person?.pendingRequest) {
    const access = describeTenantAccess(a.tenantAccess, status.tenants);
    const justification =
      `Please extend my ${roleLabel(a.role)} access (${access}), which ends ${(a.expiresAt ?? "").slice(0, 16).replace("T", " ")} UTC.`.slice(
        0,
        JUSTIFICATION_MAX,
      );
    return adaptiveCard(
      [
        ...body,
        text("Extend your access", { weight: "Bolder", spacing: "Medium" }),
        text("The request keeps your current role and tenant access; edit the reason if you like. An admin decides.", {
          isSubtle: true,
        }),
        ...requestForm({ justification, wishedRole: a.role }),
      ],
      [requestAction("Request extension")],
    );
  }
  if (!canRequest) {
    return adaptiveCard([...body, text("Type **help** for what I can do.", { isSubtle: true, spacing: "Medium" })]);
  }
  if (!status.requests.open) {
    return adaptiveCard([
      ...body,
      text(`Access Desk is not taking new requests at the moment. Please contact ${plain(status.requests.contact)}.`, {
        spacing: "Medium",
      }),
    ]);
  }
  return adaptiveCard(
    [...body, text("Request access", { weight: "Bolder", spacing: "Medium" }), ...requestForm()],
    [requestAction("Request access")],
  );
};
