import { auditIdFor } from "../domain/audit.js";
import type { ConversationAddress } from "../domain/conversation.js";
import { notAllowed } from "../domain/errors.js";
import { can } from "../domain/grant-policy.js";
import { displayName, type Identity } from "../domain/person.js";
import { announceRequest } from "./announce-request.js";
import type { ServiceDeps } from "./deps.js";
import type { AdminChannel } from "./ports.js";
import { loadPerson } from "./register-person.js";

export type SetAdminChannelInput = {
  identity: Identity;
  channelId: string;
  teamId: string | null;
  /** The channel's address, from the authenticated activity that carried the command. */
  address: ConversationAddress;
  profile?: () => Promise<Identity>;
};

/** An MSP Admin makes a team channel the admins channel; requests waiting for a card get one there. */
export const setAdminChannel = async (
  deps: ServiceDeps,
  input: SetAdminChannelInput,
): Promise<{ channel: AdminChannel; previous: AdminChannel | undefined }> => {
  const stored = await loadPerson(deps, input.identity, input.profile);
  const now = deps.clock.now();
  if (!stored || !can(stored.value, "settings.manage", null, now)) {
    throw notAllowed("Only an MSP Admin can choose the admins channel.", { reason: "not-msp-admin" });
  }
  const actor = { personId: stored.value.personId, name: displayName(stored.value) };
  const previous = await deps.settings.getAdminChannel();
  const channel: AdminChannel = {
    channelId: input.channelId,
    teamId: input.teamId,
    address: input.address,
    source: "command",
    setBy: actor,
    setAt: now.toISOString(),
  };
  await deps.settings.saveAdminChannel(channel);
  await deps.audit.append({
    id: auditIdFor("settings.admin-channel-set", `${input.channelId}-${channel.setAt}`),
    personId: "_settings",
    type: "audit",
    at: channel.setAt,
    actor,
    action: "settings.admin-channel-set",
    subject: { kind: "settings", id: "admin-channel", name: "Admins channel" },
    tenantId: null,
    before: previous ? { channelId: previous.channelId, teamId: previous.teamId } : null,
    after: { channelId: channel.channelId, teamId: channel.teamId },
    reason: null,
    correlationId: `admin-channel-${channel.setAt}`,
  });
  deps.logger.info({ channelId: input.channelId, by: actor.personId }, "admins channel set");
  deps.background.run("announce-waiting-requests", () => announceWaitingRequests(deps));
  return { channel, previous };
};

/** Posts cards for pending requests that have none (no channel was set when they came in, or a post failed). */
export const announceWaitingRequests = async (deps: ServiceDeps): Promise<number> => {
  const waiting = await deps.requests.listUnannounced(200);
  let posted = 0;
  for (const request of waiting) {
    try {
      await announceRequest(deps, request.personId, request.id);
      posted++;
    } catch (e) {
      deps.logger.warn({ err: e, requestId: request.id }, "could not post a request card; will retry");
    }
  }
  return posted;
};
