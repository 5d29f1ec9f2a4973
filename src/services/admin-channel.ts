import type { AccessRequest } from "../domain/access-request.js";
import type { ServiceDeps } from "./deps.js";
import type { AdminChannel, ConversationAddress } from "./ports.js";

/**
 * Where to post a request's card: the admins channel's own address when the bot has seen activity
 * there, otherwise the channel id on the service URL the requester's own authenticated chat came from
 * (Teams serves one directory's conversations from one regional endpoint).
 */
export const adminChannelAddress = async (
  deps: ServiceDeps,
  request: Pick<AccessRequest, "personId">,
): Promise<{ channel: AdminChannel; address: ConversationAddress } | undefined> => {
  const channel = await deps.settings.getAdminChannel();
  if (!channel) return undefined;
  if (channel.address) return { channel, address: channel.address };
  const requester = await deps.conversations.getPersonal(request.personId);
  if (!requester) return undefined;
  return {
    channel,
    address: {
      serviceUrl: requester.serviceUrl,
      conversationId: channel.channelId,
      conversationType: "channel",
      directoryId: requester.directoryId,
      botId: requester.botId,
      userId: null,
    },
  };
};

/**
 * An authenticated activity arrived in a channel: if it is the admins channel, keep its address
 * (service URL, bot id) current. Nothing else about the channel changes here.
 */
export const noteChannelActivity = async (
  deps: ServiceDeps,
  channelId: string,
  teamId: string | null,
  address: ConversationAddress,
): Promise<void> => {
  const channel = await deps.settings.getAdminChannel();
  if (!channel || channel.channelId !== channelId) return;
  const known = channel.address;
  if (
    known &&
    known.serviceUrl === address.serviceUrl &&
    known.botId === address.botId &&
    channel.teamId === (teamId ?? channel.teamId)
  ) {
    return;
  }
  await deps.settings.saveAdminChannel({ ...channel, teamId: teamId ?? channel.teamId, address });
  deps.logger.info({ channelId, serviceUrl: address.serviceUrl }, "admins channel address recorded");
};

/**
 * The admins channel's address for notes that concern no one request (review cards, directory sync):
 * its own address when known, otherwise the channel id on the service URL of someone's known chat
 * (the `hint` people first, then MSP Admins).
 */
export const adminsChannelAddress = async (
  deps: ServiceDeps,
  hint: readonly string[],
): Promise<ConversationAddress | undefined> => {
  const channel = await deps.settings.getAdminChannel();
  if (!channel) return undefined;
  if (channel.address) return channel.address;
  const admins = (await deps.people.listByRole("msp-admin", 20)).map((p) => p.personId);
  for (const personId of [...hint, ...admins]) {
    const chat = await deps.conversations.getPersonal(personId);
    if (chat)
      return {
        serviceUrl: chat.serviceUrl,
        conversationId: channel.channelId,
        conversationType: "channel",
        directoryId: chat.directoryId,
        botId: chat.botId,
        userId: null,
      };
  }
  return undefined;
};
