import {
  CardFactory,
  MessageFactory,
  type CloudAdapter,
  type ConversationReference,
  type TurnContext,
} from "botbuilder";
import type { Delivery } from "./delivery.js";
import type { CardLocation } from "../domain/access-request.js";
import type { ConversationAddress } from "../domain/conversation.js";
import type {
  ChannelMessage,
  Logger,
  Notifier,
  PersonalMessage,
  RequestCardView,
  ReviewCardView,
} from "../services/ports.js";
import { reviewCard } from "./cards/review-card.js";
import {
  accessExpiredCard,
  accessExpiringCard,
  directoryOffboardingCard,
  pendingReminderCard,
} from "./cards/governance-cards.js";
import type { AdaptiveCard } from "./cards/card-types.js";
import { decisionNoticeCard, noAdminChannelCard } from "./cards/personal-cards.js";
import { requestCard } from "./cards/request-card.js";

/** A stored address as the conversation reference the Bot Framework continues. */
export const referenceOf = (address: ConversationAddress): Partial<ConversationReference> => ({
  channelId: "msteams",
  serviceUrl: address.serviceUrl,
  bot: { id: address.botId, name: "Access Desk" },
  conversation: {
    id: address.conversationId,
    conversationType: address.conversationType,
    tenantId: address.directoryId,
    isGroup: address.conversationType !== "personal",
    name: "",
  },
  ...(address.userId ? { user: { id: address.userId, name: "" } } : {}),
});

const cardMessage = (card: AdaptiveCard) => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/** Proactive messages through the Bot Connector: request cards in the admins channel, notices in personal chats. */
export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly logger: Logger,
    private readonly delivery: Delivery,
  ) {}

  /** One proactive operation in a conversation, paced and retried by the delivery policy. */
  private continue(address: ConversationAddress, what: string, logic: (context: TurnContext) => Promise<void>) {
    return this.delivery.send(address.conversationId, what, () =>
      this.adapter.continueConversationAsync(this.botAppId, referenceOf(address), logic),
    );
  }

  async postRequestCard(channel: ConversationAddress, view: RequestCardView): Promise<CardLocation> {
    let activityId: string | undefined;
    await this.continue(channel, "request card", async (context) => {
      const sent = await context.sendActivity(cardMessage(requestCard(view.request, view.tenants)));
      activityId = sent?.id;
    });
    if (!activityId) throw new Error("Teams accepted the request card but returned no activity id");
    return { address: channel, activityId };
  }

  async updateRequestCard(location: CardLocation, view: RequestCardView): Promise<void> {
    await this.continue(location.address, "card update", async (context) => {
      const update = cardMessage(requestCard(view.request, view.tenants));
      update.id = location.activityId;
      await context.updateActivity(update);
    });
    this.logger.debug({ requestId: view.request.id, activityId: location.activityId }, "request card updated");
  }

  async sendPersonal(to: ConversationAddress, message: PersonalMessage): Promise<void> {
    const card = (() => {
      switch (message.kind) {
        case "request-decided":
          return decisionNoticeCard(message.request, message.tenants);
        case "no-admin-channel":
          return noAdminChannelCard(message.request);
        case "access-expiring":
          return accessExpiringCard(message.assignment, message.tenants);
        case "access-expired":
          return accessExpiredCard(message.assignment, message.tenants);
      }
    })();
    await this.continue(to, message.kind, async (context) => {
      await context.sendActivity(cardMessage(card));
    });
  }

  async postReviewCard(channel: ConversationAddress, view: ReviewCardView): Promise<string> {
    let activityId: string | undefined;
    await this.continue(channel, "review card", async (context) => {
      activityId = (await context.sendActivity(cardMessage(reviewCard(view))))?.id;
    });
    if (!activityId) throw new Error("Teams accepted the review card but returned no activity id");
    return activityId;
  }

  async updateReviewCard(channel: ConversationAddress, activityId: string, view: ReviewCardView): Promise<void> {
    await this.continue(channel, "review card update", async (context) => {
      const update = cardMessage(reviewCard(view));
      update.id = activityId;
      await context.updateActivity(update);
    });
  }

  async postToChannel(channel: ConversationAddress, message: ChannelMessage): Promise<void> {
    const card =
      message.kind === "pending-reminder"
        ? pendingReminderCard(message.requests, message.waitingHours)
        : directoryOffboardingCard(message.changes, message.total, message.tenants);
    await this.continue(channel, message.kind, async (context) => {
      await context.sendActivity(cardMessage(card));
    });
  }
}
