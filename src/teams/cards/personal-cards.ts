import type { AccessRequest } from "../../domain/access-request.js";
import { roleLabel } from "../../domain/roles.js";
import { describeTenantAccess, type Tenant } from "../../domain/tenant.js";
import { adaptiveCard, facts, heading, plain, text, when, type AdaptiveCard } from "./card-types.js";

/** Shown to the requester right after submitting. */
export const requestSentCard = (request: AccessRequest, routed: boolean): AdaptiveCard =>
  adaptiveCard([
    heading("Request sent"),
    facts([
      ["Justification", plain(request.justification)],
      ["Wished role", request.wishedRole ? roleLabel(request.wishedRole) : "No preference"],
      ["Sent", when(request.createdAt)],
    ]),
    routed
      ? text("An admin will decide; I will tell you here. Type **status** to check or **cancel** to withdraw.", {
          isSubtle: true,
        })
      : text(
          "Your request is saved, but it cannot reach the approvers yet: no admins channel is set up. The MSP Admins have been told how to fix it; your request will be posted as soon as they do.",
          { color: "Warning" },
        ),
  ]);

/** Shown when someone asks again while a request is pending. */
export const alreadyPendingCard = (request: AccessRequest): AdaptiveCard =>
  adaptiveCard([
    heading("You already have a request waiting"),
    facts([
      ["Justification", plain(request.justification)],
      ["Sent", when(request.createdAt)],
    ]),
    text("Only one request can wait at a time. Type **cancel** to withdraw it.", { isSubtle: true }),
  ]);

/** The requester hears the outcome in their personal chat. */
export const decisionNoticeCard = (request: AccessRequest, tenants: readonly Tenant[]): AdaptiveCard => {
  const d = request.decision!;
  if (d.outcome === "approved") {
    return adaptiveCard([
      heading("Your access request was approved"),
      facts([
        ["Role", roleLabel(d.grant.role)],
        ["Tenant access", plain(describeTenantAccess(d.grant.tenantAccess, tenants))],
        ["Expires", d.grant.expiresAt ? when(d.grant.expiresAt) : "Never"],
        ["Approved by", plain(d.by.name)],
        ["Approved", when(d.at)],
        ["Comment", d.comment ? plain(d.comment) : null],
      ]),
    ]);
  }
  if (d.outcome === "denied") {
    return adaptiveCard([
      heading("Your access request was denied"),
      facts([
        ["Denied by", plain(d.by.name)],
        ["Denied", when(d.at)],
        ["Reason", plain(d.reason)],
      ]),
      text("You can ask again with more detail: type **request access**.", { isSubtle: true }),
    ]);
  }
  if (d.outcome === "expired") {
    return adaptiveCard([
      heading("Your access request expired"),
      text("No admin decided it in time. If you still need access, type **request access**.", { isSubtle: true }),
    ]);
  }
  return adaptiveCard([heading("Your access request was cancelled"), facts([["Cancelled", when(d.at)]])]);
};

/** Sent to MSP Admins when a request arrives and no admins channel is set. */
export const noAdminChannelCard = (request: AccessRequest): AdaptiveCard =>
  adaptiveCard([
    heading("An access request cannot be routed"),
    text(
      `${plain(request.requester.name || request.requester.upn || "Someone")} asked for access, but no admins channel is set.`,
    ),
    text(
      "In the team channel where admins should decide requests, mention me and say **use this channel for approvals** (or set ADMIN_CHANNEL_ID). Waiting requests are posted there at once.",
    ),
  ]);

/** A short answer with a title, for refusals and confirmations. */
export const noticeCard = (
  title: string,
  message: string,
  tone: "default" | "warning" | "attention" = "default",
  reference?: string,
): AdaptiveCard =>
  adaptiveCard([
    heading(title),
    text(message, { color: tone === "warning" ? "Warning" : tone === "attention" ? "Attention" : "Default" }),
    ...(reference ? [text(reference, { isSubtle: true, size: "Small" as const })] : []),
  ]);
