import { roleLabel } from "../../domain/roles.js";
import { describeTenantAccess } from "../../domain/tenant.js";
import type { ReviewCardView } from "../../services/ports.js";
import { VERBS } from "../verbs.js";
import { adaptiveCard, facts, heading, plain, text, when, type AdaptiveCard, type Element } from "./card-types.js";

/**
 * A tenant's access review in the admins channel: progress, the deadline and its default, and the
 * next few users to decide with Keep and Revoke. Every click is re-checked by the server, and the
 * answer is this card again with the next users. The whole list is on the tab's Reviews page.
 */
export const reviewCard = (view: ReviewCardView, notice?: string): AdaptiveCard => {
  const { review, tenant, progress, next, tenants } = view;
  const body: Element[] = [
    heading(`Access review: ${plain(tenant.name)}`),
    ...(notice ? [text(notice, { color: "Attention", weight: "Bolder" })] : []),
    facts([
      ["Started", `${when(review.startedAt)} by ${plain(review.startedBy.name)}`],
      ["Deadline", when(review.deadline)],
      ["If not reviewed", review.defaultOutcome === "keep" ? "Access is kept" : "Access is revoked"],
      ["Reviewed", `${progress.decided} of ${progress.users}`],
    ]),
  ];
  if (review.status === "closed") {
    const r = review.results;
    body.push(
      text(
        r
          ? `Review closed ${when(review.closedAt ?? review.deadline)}: ${r.kept} kept, ${r.revoked} revoked (${r.byDefault} by the default), ${r.superseded} changed meanwhile.`
          : "Review closed.",
        { weight: "Bolder", spacing: "Medium" },
      ),
    );
    return adaptiveCard(body);
  }
  if (next.length === 0) {
    body.push(text("Every user of this tenant is reviewed.", { color: "Good", weight: "Bolder", spacing: "Medium" }));
  }
  for (const item of next) {
    const a = item.assignment;
    const data = { reviewId: review.id, personId: item.personId };
    body.push({
      type: "Container",
      separator: true,
      spacing: "Medium",
      items: [
        text(`**${plain(item.name || item.upn || item.personId)}**${item.upn ? ` · ${plain(item.upn)}` : ""}`),
        facts([
          ["Role", roleLabel(a.role)],
          ["Tenant access", plain(describeTenantAccess(a.tenantAccess, tenants))],
          ["Expires", a.expiresAt ? when(a.expiresAt) : "Never"],
          ["Granted", `${when(a.grantedAt)} by ${plain(a.grantedBy.name)}`],
          ["Why", a.justification ? plain(a.justification) : "(no reason recorded)"],
        ]),
        {
          type: "ActionSet",
          actions: [
            {
              type: "Action.Execute",
              title: "Keep",
              verb: VERBS.reviewKeep,
              data,
              style: "positive",
              associatedInputs: "none",
            },
            {
              type: "Action.Execute",
              title: "Revoke",
              verb: VERBS.reviewRevoke,
              data,
              style: "destructive",
              associatedInputs: "none",
            },
          ],
        },
      ],
    });
  }
  const left = progress.users - progress.decided - next.length;
  body.push(
    text(
      `${left > 0 ? `${left} more after these. ` : ""}Everyone, with filters and exports: the Reviews page in the Access Desk tab.`,
      { isSubtle: true, spacing: "Medium" },
    ),
  );
  return adaptiveCard(body);
};
