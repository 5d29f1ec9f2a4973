import type { AccessRequest } from "../domain/access-request.js";
import { auditIdFor } from "../domain/audit.js";
import { adminChannelAddress } from "./admin-channel.js";
import { SEND_LEASE_MS } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { persistently } from "./persistently.js";
import { tellAdminsNoChannel } from "./tell-admins-no-channel.js";

/** The audit event of a request's submission (deterministic id: appending it again changes nothing). */
export const recordSubmission = (deps: ServiceDeps, request: AccessRequest): Promise<void> =>
  deps.audit.append({
    id: auditIdFor("request.submitted", request.id),
    personId: request.personId,
    type: "audit",
    at: request.createdAt,
    actor: { personId: request.personId, name: request.requester.name },
    action: "request.submitted",
    subject: { kind: "request", id: request.id, name: request.requester.name },
    tenantId: request.homeTenantId,
    before: null,
    after: { justification: request.justification, wishedRole: request.wishedRole },
    reason: request.justification,
    correlationId: request.id,
  });

/**
 * Posts a request's card into the admins channel, once, and records where it is. A request decided
 * before its card could be posted (Teams was down) gets a card showing the outcome. With no admins
 * channel set, the MSP Admins are told how to set one instead. `justCreated`: the request as its
 * submission stored it a moment ago (it is not read again; a change since is caught after posting).
 */
export const announceRequest = async (
  deps: ServiceDeps,
  personId: string,
  requestId: string,
  justCreated?: AccessRequest,
): Promise<void> => {
  const stored = justCreated ? { value: justCreated } : await deps.requests.get(personId, requestId);
  if (!stored) return;
  // The submission is recorded before its card is posted, so a request with a card has its audit event.
  if (!stored.value.card) await recordSubmission(deps, stored.value);
  if (stored.value.status === "cancelled" || stored.value.card) return;
  const request = stored.value;
  // One poster at a time, on every instance: the card is posted once.
  if (!(await deps.requests.claimFollowUp(personId, requestId, "announce", deps.clock.now().getTime(), SEND_LEASE_MS)))
    return;
  const target = await adminChannelAddress(deps, request);
  if (!target) {
    if (request.status === "pending") await tellAdminsNoChannel(deps, request);
    await deps.requests.releaseFollowUp(personId, requestId, "announce");
    return;
  }
  const tenants = await deps.tenants.list();
  let card;
  try {
    card = await deps.notifier.postRequestCard(target.address, { request, tenants });
  } catch (e) {
    // Not delivered: give the lease back so the reconciler can try again soon.
    await deps.requests.releaseFollowUp(personId, requestId, "announce").catch(() => undefined);
    throw e;
  }
  await persistently(() => deps.requests.setCard(personId, requestId, card));
  deps.logger.info(
    { requestId, channelId: target.channel.channelId, activityId: card.activityId },
    "request card posted",
  );

  // Decided while the card was being posted: show the outcome on the card just posted.
  const after = await deps.requests.get(personId, requestId);
  if (request.status === "pending" && after && after.value.status !== "pending") {
    await deps.notifier.updateRequestCard(card, { request: after.value, tenants });
  }
};
