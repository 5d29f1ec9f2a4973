/** Where a proactive message can be delivered: what Teams needs to continue a conversation. */
export type ConversationAddress = {
  serviceUrl: string;
  conversationId: string;
  conversationType: "personal" | "channel" | "groupChat";
  directoryId: string;
  botId: string;
  /** Teams user id (29:...) of the person in a personal chat. */
  userId: string | null;
};
