import { adminChannelAddress } from "./admin-channel.js";
import { SEND_LEASE_MS } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { tellAdminsNoChannel } from "./tell-admins-no-channel.js";

/**
 * Posts a pending request's decision card into the admins channel, once, and records where it is.
 * With no admins channel set, the MSP Admins are told how to set one instead.
 */
export const announceRequest = async (deps: ServiceDeps, personId: string, requestId: string): Promise<void> => {
  const stored = await deps.requests.get(personId, requestId);
  if (!stored || stored.value.status !== "pending" || stored.value.card) return;
  const request = stored.value;
  // One poster at a time, on every instance: the card is posted once.
  if (!(await deps.requests.claimFollowUp(personId, requestId, "announce", deps.clock.now().getTime(), SEND_LEASE_MS))) return;
  const target = await adminChannelAddress(deps, request);
  if (!target) {
    await tellAdminsNoChannel(deps, request);
    await deps.requests.releaseFollowUp(personId, requestId, "announce");
    return;
  }
  const tenants = await deps.tenants.list();
  const card = await deps.notifier.postRequestCard(target.address, { request, tenants });
  await deps.requests.setCard(personId, requestId, card);
  deps.logger.info(
    { requestId, channelId: target.channel.channelId, activityId: card.activityId },
    "request card posted",
  );

  // Decided while the card was being posted: show the outcome on the card just posted.
  const after = await deps.requests.get(personId, requestId);
  if (after && after.value.status !== "pending") {
    await deps.notifier.updateRequestCard(card, { request: after.value, tenants });
  }
};
