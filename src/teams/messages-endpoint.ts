import type { Application } from "@microsoft/teams-ai";
import type { Activity } from "botbuilder";
import { z } from "zod/v4";
import type { BackgroundTasks } from "../services/background.js";
import type { Logger } from "../services/ports.js";
import type { AccessDeskAdapter } from "./adapter.js";

/** The envelope every activity must have; the rest is Teams' and is read by the bot's own schemas. */
const envelope = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(256).optional(),
  channelId: z.string().max(64).optional(),
  serviceUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  from: z.looseObject({ id: z.string().max(256) }).optional(),
  recipient: z.looseObject({ id: z.string().max(256) }).optional(),
  conversation: z.looseObject({ id: z.string().max(1024) }).optional(),
  timestamp: z.string().max(64).optional(),
  localTimestamp: z.string().max(64).optional(),
});

export type EndpointAnswer = {
  status: number;
  body?: unknown;
  /** To call once the answer is sent: background work the turn started begins then. */
  sent?: () => void;
};

/**
 * POST /api/messages: the adapter checks the Bot Framework token (issuer, audience, signature,
 * expiry, service URL); only then does the bot take the turn. Any failure before the turn starts is
 * an authentication failure: 401, logged, and no handler runs. Errors never echo internals.
 */
export const messagesEndpoint = (
  adapter: AccessDeskAdapter,
  app: Application,
  logger: Logger,
  background?: Pick<BackgroundTasks, "whileAnswering">,
) => {
  const answer = async (
    body: unknown,
    authorization: string | undefined,
    correlationId: string,
  ): Promise<EndpointAnswer> => {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      logger.info({ correlationId, reason: "not an activity" }, "bot request refused");
      return { status: 400, body: { error: "invalid", message: "The body is not a Bot Framework activity." } };
    }
    const activity = parsed.data as unknown as Activity & { rawTimestamp?: string; rawLocalTimestamp?: string };
    if (typeof parsed.data.timestamp === "string") {
      activity.rawTimestamp = parsed.data.timestamp;
      activity.timestamp = new Date(parsed.data.timestamp);
    }
    if (typeof parsed.data.localTimestamp === "string") {
      activity.rawLocalTimestamp = parsed.data.localTimestamp;
      activity.localTimestamp = new Date(parsed.data.localTimestamp);
    }
    let turnStarted = false;
    try {
      const invokeResponse = await adapter.authenticateAndRun(authorization ?? "", activity, async (context) => {
        turnStarted = true;
        await app.run(context);
      });
      return { status: invokeResponse?.status ?? 200, body: invokeResponse?.body };
    } catch (err) {
      if (!turnStarted) {
        logger.warn(
          {
            correlationId,
            activityType: parsed.data.type,
            reason: err instanceof Error ? err.message.split("\n")[0]!.slice(0, 200) : "authentication failed",
          },
          "bot request refused",
        );
        return {
          status: 401,
          body: { error: "unauthenticated", message: "The Bot Framework token is missing or not valid." },
        };
      }
      logger.error({ correlationId, err }, "bot turn failed");
      return { status: 500, body: { error: "internal", message: "The turn failed.", correlationId } };
    }
  };
  // The card post, the audit event and other follow-ups a turn starts wait until its answer has gone out.
  return async (body: unknown, authorization: string | undefined, correlationId: string): Promise<EndpointAnswer> => {
    if (!background) return answer(body, authorization, correlationId);
    const prepared = await background.whileAnswering(() => answer(body, authorization, correlationId));
    if ("error" in prepared) {
      prepared.release();
      throw prepared.error;
    }
    return { ...prepared.value, sent: prepared.release };
  };
};
