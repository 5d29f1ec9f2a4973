import { randomUUID } from "node:crypto";
import { Application, type TeamsAdapter } from "@microsoft/teams-ai";
import { ActivityTypes, CardFactory, MessageFactory, type TurnContext } from "botbuilder";
import type { AccessRequest } from "../domain/access-request.js";
import { invalid, notAllowed, unavailable } from "../domain/errors.js";
import type { Identity } from "../domain/person.js";
import { roleHas } from "../domain/roles.js";
import type { AppServices } from "../services/index.js";
import type { Logger } from "../services/ports.js";
import { addressOf, channelOf, directoryOf, identityOf, profileLoader, scopeOf } from "./activity.js";
import { when, type AdaptiveCard } from "./cards/card-types.js";
import { helpCard } from "./cards/help-card.js";
import { pendingCard } from "./cards/pending-card.js";
import { alreadyPendingCard, noticeCard, requestSentCard } from "./cards/personal-cards.js";
import { requestCard } from "./cards/request-card.js";
import { welcomeCard } from "./cards/welcome-card.js";
import { parseCommand } from "./commands.js";
import { decisionPayload, describeIssues, reviewPayload, submitRequestPayload } from "./payloads.js";
import { reviewCard } from "./cards/review-card.js";
import { refusalOf } from "./refusals.js";
import { VERBS } from "./verbs.js";

export type BotOptions = { adapter: TeamsAdapter; botAppId: string; services: AppServices; logger: Logger };

const PENDING_PAGE = 15;
const NO_ENTRA = "Access Desk works only with Microsoft Entra ID accounts.";
const FOREIGN = "Your organisation is not allowed to use Access Desk.";

const cardActivity = (card: AdaptiveCard) => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/**
 * Answers an Action.Execute with a card. Refusals are cards too (the form again with the reason on
 * top, or a short notice): Teams shows them only to the person who clicked, and the Agents Playground
 * renders them, where it would put the raw body of an error response in place of the card.
 */
const invokeCard = (context: TurnContext, card: AdaptiveCard) =>
  context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: card } },
  });

/** How long a card action may take before Teams gives up on it: answer "try again" before that. */
export const INVOKE_BUDGET_MS = 4_000;

/**
 * Races work against the invoke budget. The work itself goes on (its commit is one conditional
 * write, so it lands whole or not at all, and the reconciler finishes what follows); the person is
 * told to try again, which is safe: a second decision on a decided request changes nothing.
 */
const withinBudget = <T>(work: Promise<T>, whatNow: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(unavailable(`Access Desk's data store is slow to answer right now. ${whatNow}`, { reason: "budget" })),
      INVOKE_BUDGET_MS,
    );
  });
  work.catch(() => undefined); // a late failure has nothing left to answer
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
};

const alreadyDecidedNotice = (request: AccessRequest): string => {
  const d = request.decision;
  if (!d) return `This request is already ${request.status}.`;
  return `Already ${d.outcome} by ${d.by.name} at ${when(d.at)}. Nothing was changed.`;
};

/**
 * The Teams bot: personal-chat commands and the request form for requesters; channel commands and
 * the decision card for admins. Every action goes through a service, which re-reads state from the store.
 */
export const createBot = ({ adapter, botAppId, services, logger }: BotOptions): Application => {
  const log = logger.child({ area: "bot" });
  const app = new Application({
    adapter,
    botAppId,
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  /**
   * The one place a failure becomes an answer: logged with actor, action and reason; the person sees
   * the reason. `again` may rebuild the card they were using, with the reason on top.
   */
  const refuse = async (
    context: TurnContext,
    action: string,
    identity: Identity | null,
    error: unknown,
    again?: (notice: string) => Promise<AdaptiveCard | undefined>,
  ) => {
    const r = refusalOf(error);
    const correlationId = context.activity.id || randomUUID();
    const entry = {
      correlationId,
      action,
      actor: identity?.objectId ?? null,
      directory: identity?.directoryId ?? null,
      code: r.code,
      reason: r.message,
    };
    if (r.expected) log.info(entry, "action refused");
    else log.error({ ...entry, err: error }, "action failed");
    const title = r.expected && r.code !== "unavailable" ? "Not done" : "Try again";
    const reference = `Reference: ${correlationId}`;
    if (context.activity.type !== ActivityTypes.Invoke) {
      await context.sendActivity(cardActivity(noticeCard(title, r.message, "attention", reference)));
      return;
    }
    // The form again for mistakes a person can fix; not when the store is slow (rebuilding it would wait too).
    const retryable = ["invalid", "conflict", "stale"].includes(r.code);
    const form = retryable && again ? await again(`${title}: ${r.message}`).catch(() => undefined) : undefined;
    await invokeCard(context, form ?? noticeCard(title, r.message, "attention", reference));
  };

  // Gate: only activities from allowed directories get further. They also keep the stored
  // conversation addresses current: those are set from authenticated incoming activities only.
  app.turn("beforeTurn", async (context) => {
    const a = context.activity;
    const directory = directoryOf(a);
    if (!directory || !services.isDirectoryAllowed(directory)) {
      log.warn(
        { type: a.type, directory, from: a.from?.aadObjectId ?? null, reason: "foreign-directory" },
        "activity refused",
      );
      if (a.type === ActivityTypes.Invoke) await invokeCard(context, noticeCard("Not done", FOREIGN, "attention"));
      else if (a.type === ActivityTypes.Message) await context.sendActivity(FOREIGN);
      return false;
    }
    const address = addressOf(a);
    const identity = identityOf(a);
    const channel = channelOf(a);
    // Bookkeeping of addresses runs beside the turn, so a slow store never delays an answer.
    if (address && channel) {
      services.inBackground("note-channel", () =>
        services.noteChannelActivity(channel.channelId, channel.teamId, address),
      );
    }
    if (
      address &&
      identity &&
      scopeOf(a) === "personal" &&
      (a.type === ActivityTypes.Message || a.type === ActivityTypes.Invoke)
    ) {
      services.inBackground("remember-chat", () => services.rememberPersonalConversation(identity, address));
    }
    return true;
  });

  const statusCard = async (context: TurnContext, identity: Identity, greeting: boolean) => {
    const who = await profileLoader(context, identity)();
    return welcomeCard(await services.getAccessStatus(who), services.clock.now(), greeting);
  };

  const isAdmin = async (context: TurnContext, identity: Identity) => {
    const status = await services.getAccessStatus(identity, profileLoader(context, identity));
    return status.role !== null && roleHas(status.role, "requests.decide");
  };

  const submit = async (
    context: TurnContext,
    identity: Identity,
    justification: unknown,
    wishedRole: unknown,
  ): Promise<AdaptiveCard> => {
    const who = await profileLoader(context, identity)();
    const result = await services.submitAccessRequest({
      identity: who,
      justification,
      wishedRole,
      conversation: addressOf(context.activity),
    });
    switch (result.kind) {
      case "submitted":
        return requestSentCard(result.request, result.routed);
      case "already-pending":
        return alreadyPendingCard(result.request);
      case "has-access":
        return welcomeCard(await services.getAccessStatus(who), services.clock.now(), false);
    }
  };

  /** Text commands, by name: what each does in a personal chat and in a team channel. */
  const commands = {
    help: async (context: TurnContext, identity: Identity) => cardActivity(helpCard(await isAdmin(context, identity))),
    pending: async (context: TurnContext, identity: Identity) => {
      const page = await services.listPendingRequests(
        identity,
        { pageSize: PENDING_PAGE },
        profileLoader(context, identity),
      );
      const channel = await services.getAdminChannel();
      return cardActivity(pendingCard(page.items, page.continuation !== null, channel !== undefined));
    },
    "use-channel": async (context: TurnContext, identity: Identity) => {
      const channel = channelOf(context.activity);
      const address = addressOf(context.activity);
      if (!channel || !address)
        return "Say this in the team channel where admins should decide requests, with a mention of me.";
      await services.setAdminChannel({
        identity,
        channelId: channel.channelId,
        teamId: channel.teamId,
        address,
        profile: profileLoader(context, identity),
      });
      return cardActivity(
        noticeCard(
          "Admins channel set",
          "Access requests will be posted in this channel from now on. Requests that were waiting are being posted now.",
        ),
      );
    },
    "request-access": async (context: TurnContext, identity: Identity, rest: string) =>
      cardActivity(
        rest ? await submit(context, identity, rest, undefined) : await statusCard(context, identity, false),
      ),
    status: async (context: TurnContext, identity: Identity) =>
      cardActivity(await statusCard(context, identity, false)),
    cancel: async (_context: TurnContext, identity: Identity) => {
      const result = await services.cancelAccessRequest(identity);
      return result.kind === "cancelled"
        ? cardActivity(noticeCard("Request cancelled", "Your access request was withdrawn; the admins' card shows it."))
        : "You have no pending request to cancel.";
    },
    "start-review": async (_context: TurnContext, identity: Identity) => {
      const result = await services.startAccessReview(identity);
      const r = result.review;
      return cardActivity(
        result.kind === "started"
          ? noticeCard(
              "Access review started",
              `Every current user is under review until ${r.deadline.slice(0, 10)}; users nobody reviews by then are ${r.defaultOutcome === "keep" ? "kept" : "revoked"}. A card per tenant is in the admins channel, and the Reviews page of the Access Desk tab lists everyone.`,
            )
          : noticeCard(
              "An access review is already open",
              `The review started ${r.startedAt.slice(0, 10)} is open until ${r.deadline.slice(0, 10)}. Its cards are in the admins channel.`,
            ),
      );
    },
    unknown: async (context: TurnContext, identity: Identity) =>
      cardActivity(await statusCard(context, identity, true)),
  } satisfies Record<string, (context: TurnContext, identity: Identity, rest: string) => Promise<unknown>>;
  const PERSONAL_ONLY = new Set(["request-access", "status", "cancel", "unknown"]);

  app.activity(ActivityTypes.Message, async (context) => {
    const identity = identityOf(context.activity);
    const command = parseCommand(context.activity.text);
    if (!identity) {
      log.warn({ reason: "no-entra-identity" }, "message refused");
      await context.sendActivity(NO_ENTRA);
      return;
    }
    try {
      if (scopeOf(context.activity) !== "personal" && PERSONAL_ONLY.has(command.name)) {
        await context.sendActivity(
          "Chat with me personally to ask for access; here I answer **help**, **pending**, **start access review** and **use this channel for approvals**.",
        );
        return;
      }
      const reply = await commands[command.name](context, identity, command.rest);
      await context.sendActivity(reply as Parameters<TurnContext["sendActivity"]>[0]);
    } catch (e) {
      await refuse(context, `message:${command.name}`, identity, e);
    }
  });

  // First contact: the bot was added to a personal chat (welcome) or to a team.
  app.conversationUpdate("membersAdded", async (context) => {
    const a = context.activity;
    if (!a.membersAdded?.some((m) => m.id === a.recipient.id)) return;
    const identity = identityOf(a);
    try {
      if (scopeOf(a) === "personal" && identity) {
        await context.sendActivity(cardActivity(await statusCard(context, identity, true)));
      } else if (scopeOf(a) === "channel") {
        const channel = channelOf(a);
        const admins = await services.getAdminChannel();
        await context.sendActivity(
          admins && channel && admins.channelId === channel.channelId
            ? "Hi, I am Access Desk. Access requests will be posted in this channel for admins to decide."
            : "Hi, I am Access Desk. An MSP Admin can mention me with **use this channel for approvals** in the channel where requests should be decided.",
        );
      }
    } catch (e) {
      log.error({ err: e }, "welcome failed");
    }
  });

  app.adaptiveCards.actionExecute(VERBS.submitRequest, async (context, _state, data) => {
    const identity = identityOf(context.activity);
    const formAgain = async (notice: string) =>
      identity ? welcomeCard(await services.getAccessStatus(identity), services.clock.now(), false, notice) : undefined;
    try {
      if (!identity) throw notAllowed(NO_ENTRA, { reason: "no-entra-identity" });
      if (scopeOf(context.activity) !== "personal")
        throw invalid("Ask for access in your personal chat with Access Desk.");
      const parsed = submitRequestPayload.safeParse(data);
      if (!parsed.success)
        throw invalid(`The request form was not valid: ${describeIssues(parsed.error)}.`, { reason: "bad-payload" });
      await invokeCard(
        context,
        await withinBudget(
          submit(context, identity, parsed.data.justification, parsed.data.wishedRole),
          "Your request may not have been saved.",
        ),
      );
    } catch (e) {
      await refuse(context, VERBS.submitRequest, identity, e, formAgain);
    }
    return "";
  });

  // Keep or Revoke on a review card: the answer is the tenant's card with the next users.
  const review = (outcome: "keep" | "revoke") => async (context: TurnContext, _state: unknown, data: unknown) => {
    const verb = outcome === "keep" ? VERBS.reviewKeep : VERBS.reviewRevoke;
    const identity = identityOf(context.activity);
    try {
      if (!identity) throw notAllowed(NO_ENTRA, { reason: "no-entra-identity" });
      const parsed = reviewPayload.safeParse(data);
      if (!parsed.success)
        throw invalid(`The review card was not valid: ${describeIssues(parsed.error)}.`, { reason: "bad-payload" });
      const result = await withinBudget(
        services.decideReviewItem({ identity, ...parsed.data, outcome, fromCard: true }),
        "The decision may not have been saved.",
      );
      const who = result.item.name || result.item.upn || result.item.personId;
      const notice =
        result.kind === "decided"
          ? undefined
          : result.kind === "superseded"
            ? `${who}'s access changed after the review started; nothing to decide.`
            : `${who} was already reviewed: ${result.item.decision!.outcome} by ${result.item.decision!.by.name}.`;
      await invokeCard(context, reviewCard(result.card, notice));
    } catch (e) {
      await refuse(context, verb, identity, e);
    }
    return "";
  };
  app.adaptiveCards.actionExecute(VERBS.reviewKeep, review("keep"));
  app.adaptiveCards.actionExecute(VERBS.reviewRevoke, review("revoke"));

  // "Request extension" on the reminder: the answer is the person's card with a pre-filled request.
  app.adaptiveCards.actionExecute(VERBS.requestExtension, async (context) => {
    const identity = identityOf(context.activity);
    try {
      if (!identity) throw notAllowed(NO_ENTRA, { reason: "no-entra-identity" });
      if (scopeOf(context.activity) !== "personal")
        throw invalid("Ask for an extension in your personal chat with Access Desk.");
      const who = await profileLoader(context, identity)();
      const status = await services.getAccessStatus(who);
      const notice =
        status.role === null || status.extendable || status.person?.pendingRequest
          ? undefined
          : "Your access does not end soon, so there is nothing to extend yet.";
      await invokeCard(context, welcomeCard(status, services.clock.now(), false, notice));
    } catch (e) {
      await refuse(context, VERBS.requestExtension, identity, e);
    }
    return "";
  });

  const decide = (kind: "approve" | "deny") => async (context: TurnContext, _state: unknown, data: unknown) => {
    const identity = identityOf(context.activity);
    const action = kind === "approve" ? VERBS.approveRequest : VERBS.denyRequest;
    let wellFormed = false;
    // The form again, for someone allowed to decide this request, after a fixable mistake.
    const formAgain = async (notice: string) => {
      if (!identity || !wellFormed) return undefined;
      const request = await services.requestForDecider(identity, (data as { requestId?: unknown }).requestId);
      return request ? requestCard(request, await services.listTenants(), notice) : undefined;
    };
    try {
      if (!identity) throw notAllowed(NO_ENTRA, { reason: "no-entra-identity" });
      const parsed = decisionPayload.safeParse(data);
      if (!parsed.success)
        throw invalid(`The decision was not valid: ${describeIssues(parsed.error)}.`, { reason: "bad-payload" });
      wellFormed = true;
      const p = parsed.data;
      const result = await withinBudget(
        services.decideAccessRequest({
          actor: identity,
          requestId: p.requestId,
          decision:
            kind === "approve"
              ? { kind, role: p.role, tenantAccess: p.tenantAccess, expiry: p.expiry, comment: p.note }
              : { kind, reason: p.note },
          profile: profileLoader(context, identity),
        }),
        "If the decision was recorded, the card will show it; otherwise try again.",
      );
      const notice = result.kind === "already-decided" ? alreadyDecidedNotice(result.request) : undefined;
      await invokeCard(context, requestCard(result.request, await services.listTenants(), notice));
    } catch (e) {
      await refuse(context, action, identity, e, formAgain);
    }
    return "";
  };
  app.adaptiveCards.actionExecute(VERBS.approveRequest, decide("approve"));
  app.adaptiveCards.actionExecute(VERBS.denyRequest, decide("deny"));

  // Any other invoke (an unknown card verb, or an invoke Access Desk does not offer): a clear refusal, not a 501.
  app.activity(ActivityTypes.Invoke, async (context) => {
    const a = context.activity;
    log.info(
      { correlationId: a.id, name: String(a.name).slice(0, 60), actor: a.from?.aadObjectId ?? null },
      "unsupported invoke refused",
    );
    if (a.name === "adaptiveCard/action") {
      await invokeCard(context, noticeCard("Not done", "This card action is not one Access Desk offers.", "attention"));
    } else {
      await context.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: {
          status: 400,
          body: { error: "unsupported-invoke", message: "Access Desk does not handle this kind of request." },
        },
      });
    }
  });

  app.error(async (context, error) => {
    await refuse(context, `turn:${context.activity.type}`, identityOf(context.activity), error);
  });

  return app;
};
