import { randomUUID } from "node:crypto";

export type Who = { id: string; aadObjectId: string; name: string };

type Base = { serviceUrl: string; tenantId: string | null; botId: string; from: Who };

const conversationFor = (b: Base, scope: "personal" | "channel", channelId = "19:admins@thread.tacv2") =>
  scope === "personal"
    ? { id: `a:personal-${b.from.id}`, conversationType: "personal", ...(b.tenantId ? { tenantId: b.tenantId } : {}) }
    : {
        id: `${channelId};messageid=1`,
        conversationType: "channel",
        isGroup: true,
        ...(b.tenantId ? { tenantId: b.tenantId } : {}),
      };

const common = (b: Base, scope: "personal" | "channel") => ({
  id: randomUUID(),
  channelId: "msteams",
  serviceUrl: b.serviceUrl,
  timestamp: new Date().toISOString(),
  from: b.from,
  recipient: { id: b.botId, name: "Access Desk" },
  conversation: conversationFor(b, scope),
  channelData: {
    ...(b.tenantId ? { tenant: { id: b.tenantId } } : {}),
    ...(scope === "channel" ? { channel: { id: "19:admins@thread.tacv2" }, team: { id: "19:team@thread.tacv2" } } : {}),
  },
});

/** Teams activities as the Bot Connector posts them to /api/messages. */
export const activities = {
  message: (b: Base, text: string, scope: "personal" | "channel" = "personal") => ({
    ...common(b, scope),
    type: "message",
    text,
    textFormat: "plain",
  }),
  invoke: (b: Base, verb: string, data: unknown, scope: "personal" | "channel" = "channel") => ({
    ...common(b, scope),
    type: "invoke",
    name: "adaptiveCard/action",
    replyToId: "1",
    value: { action: { type: "Action.Execute", verb, data } },
  }),
  installation: (b: Base, scope: "personal" | "channel" = "personal") => ({
    ...common(b, scope),
    type: "installationUpdate",
    action: "add",
  }),
  membersAdded: (b: Base, scope: "personal" | "channel" = "personal") => ({
    ...common(b, scope),
    type: "conversationUpdate",
    membersAdded: [{ id: b.botId }, { id: b.from.id, aadObjectId: b.from.aadObjectId }],
  }),
};

/** Posts an activity to the bot like the Bot Connector does, with an optional bearer token. */
export const postActivity = async (botUrl: string, activity: unknown, token?: string, raw?: string) => {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body };
};
