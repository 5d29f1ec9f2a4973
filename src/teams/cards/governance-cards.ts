import type { AccessRequest } from "../../domain/access-request.js";
import type { Assignment } from "../../domain/person.js";
import type { DirectoryChange } from "../../services/ports.js";
import { roleLabel } from "../../domain/roles.js";
import { describeTenantAccess, type Tenant } from "../../domain/tenant.js";
import { VERBS } from "../verbs.js";
import { adaptiveCard, facts, heading, plain, text, when, type AdaptiveCard, type Element } from "./card-types.js";

const accessFacts = (a: Assignment, tenants: readonly Tenant[]) =>
  facts([
    ["Role", roleLabel(a.role)],
    ["Tenant access", plain(describeTenantAccess(a.tenantAccess, tenants))],
    ["Expires", a.expiresAt ? when(a.expiresAt) : "Never"],
  ]);

/** Sent before time-bound access ends, with a button that opens a pre-filled request to extend it. */
export const accessExpiringCard = (a: Assignment, tenants: readonly Tenant[]): AdaptiveCard =>
  adaptiveCard(
    [
      heading("Your access ends soon"),
      accessFacts(a, tenants),
      text("Need it longer? Ask for an extension; an admin decides.", { isSubtle: true }),
    ],
    [
      {
        type: "Action.Execute",
        title: "Request extension",
        verb: VERBS.requestExtension,
        data: {},
        associatedInputs: "none",
      },
    ],
  );

/** Sent when time-bound access has ended and been removed. */
export const accessExpiredCard = (a: Assignment, tenants: readonly Tenant[]): AdaptiveCard =>
  adaptiveCard([
    heading("Your access has ended"),
    accessFacts(a, tenants),
    text("If you still need it, type **request access**.", { isSubtle: true }),
  ]);

/** Posted into the admins channel when requests have waited too long. */
export const pendingReminderCard = (requests: readonly AccessRequest[], waitingHours: number): AdaptiveCard => {
  const rows: Element[] = requests
    .slice(0, 20)
    .map((r) =>
      text(
        `**${plain(r.requester.name || r.requester.upn || r.requester.objectId)}** · waiting since ${when(r.createdAt)}`,
        { spacing: "Small" },
      ),
    );
  return adaptiveCard([
    heading(
      `${requests.length} access request${requests.length === 1 ? " has" : "s have"} waited more than ${waitingHours} hours`,
    ),
    ...rows,
    ...(requests.length > 20
      ? [text(`… and ${requests.length - 20} more: open the People tab.`, { isSubtle: true })]
      : []),
    text("Decide them on their cards above, or type **pending**.", { isSubtle: true, spacing: "Medium" }),
  ]);
};

/** People listed on one directory sync note at most; the rest are counted. */
export const DIRECTORY_NOTE_LIMIT = 20;

const CHANGE_LABELS: Record<DirectoryChange["reason"], string> = {
  disabled: "account disabled in Entra ID",
  deleted: "account deleted in Entra ID",
  "re-enabled": "account enabled again in Entra ID; no access given back",
};

/** Posted into the admins channel once per directory sync run that offboarded (or re-enabled) people. */
export const directoryOffboardingCard = (
  changes: readonly DirectoryChange[],
  total: number,
  tenants: readonly Tenant[],
): AdaptiveCard => {
  const offboarded = changes.filter((c) => c.reason !== "re-enabled").length;
  const reenabled = changes.length - offboarded;
  const title =
    offboarded > 0
      ? `Directory sync offboarded ${offboarded} ${offboarded === 1 ? "person" : "people"}`
      : `Directory sync enabled ${reenabled} ${reenabled === 1 ? "person" : "people"} again`;
  const rows: Element[] = changes.slice(0, DIRECTORY_NOTE_LIMIT).map((c) => {
    const who = `**${plain(c.name)}**${c.upn && c.upn !== c.name ? ` (${plain(c.upn)})` : ""}`;
    const lost = c.assignment
      ? ` · lost ${roleLabel(c.assignment.role)} (${plain(describeTenantAccess(c.assignment.tenantAccess, tenants))})`
      : "";
    const request = c.requestClosed ? " · waiting request closed" : "";
    return text(`${who} · ${CHANGE_LABELS[c.reason]}${lost}${request}`, { spacing: "Small" });
  });
  return adaptiveCard([
    heading(title),
    ...rows,
    ...(total > DIRECTORY_NOTE_LIMIT
      ? [text(`… and ${total - DIRECTORY_NOTE_LIMIT} more: see the Audit page.`, { isSubtle: true })]
      : []),
    text(
      "Offboarded people are disabled and lose their access at once. Someone enabled again in Entra ID can use Access Desk again but must ask for access anew.",
      { isSubtle: true, spacing: "Medium" },
    ),
  ]);
};
