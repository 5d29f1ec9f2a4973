import type { Activity, TurnContext } from "botbuilder";
import { TeamsInfo } from "botbuilder";
import type { ConversationAddress } from "../domain/conversation.js";
import type { Identity } from "../domain/person.js";

type Scope = ConversationAddress["conversationType"];

/** The Entra directory (tenant) an activity comes from; the two places Teams states it must agree. */
export const directoryOf = (activity: Partial<Activity>): string | null => {
  const fromConversation = activity.conversation?.tenantId?.toLowerCase();
  const fromChannelData = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id?.toLowerCase();
  if (fromConversation && fromChannelData && fromConversation !== fromChannelData) return null;
  return fromConversation ?? fromChannelData ?? null;
};

export const scopeOf = (activity: Partial<Activity>): Scope => {
  const t = activity.conversation?.conversationType;
  return t === "channel" ? "channel" : t === "groupChat" ? "groupChat" : "personal";
};

/** The person acting, as Teams authenticated them: Entra object id and directory; the name when Teams sends it. */
export const identityOf = (activity: Partial<Activity>): Identity | null => {
  const objectId = activity.from?.aadObjectId?.toLowerCase();
  const directoryId = directoryOf(activity);
  if (!objectId || !directoryId) return null;
  return { objectId, directoryId, name: activity.from?.name?.trim() || null, upn: null, email: null };
};

/** The team channel an activity belongs to (channel id without the thread part), if any. */
export const channelOf = (activity: Partial<Activity>): { channelId: string; teamId: string | null } | null => {
  if (scopeOf(activity) !== "channel") return null;
  const data = activity.channelData as { channel?: { id?: string }; team?: { id?: string } } | undefined;
  const channelId = data?.channel?.id ?? activity.conversation?.id?.split(";")[0];
  return channelId ? { channelId, teamId: data?.team?.id ?? null } : null;
};

/** Where to reach this conversation later; for channels, the channel itself rather than the thread. */
export const addressOf = (activity: Partial<Activity>): ConversationAddress | null => {
  const scope = scopeOf(activity);
  const directoryId = directoryOf(activity);
  const conversationId = scope === "channel" ? channelOf(activity)?.channelId : activity.conversation?.id;
  if (!activity.serviceUrl || !directoryId || !conversationId || !activity.recipient?.id) return null;
  return {
    serviceUrl: activity.serviceUrl,
    conversationId,
    conversationType: scope,
    directoryId,
    botId: activity.recipient.id,
    userId: scope === "personal" ? (activity.from?.id ?? null) : null,
  };
};

/** Fetches name, UPN and email from Teams (the activity carries only ids), once per turn. */
export const profileLoader = (context: TurnContext, identity: Identity): (() => Promise<Identity>) => {
  let loaded: Promise<Identity> | undefined;
  return () =>
    (loaded ??= TeamsInfo.getMember(context, context.activity.from.id).then(
      (m) => ({
        ...identity,
        name: m.name?.trim() || identity.name,
        upn: m.userPrincipalName?.toLowerCase() ?? null,
        email: m.email?.toLowerCase() ?? null,
      }),
      () => identity,
    ));
};
