import type { AccessRequest } from "../../domain/access-request.js";
import type { Assignment } from "../../domain/person.js";
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
