import type { Logger } from "../services/ports.js";

export type DeliveryOptions = {
  /** Teams accepts about 7 messages per second per conversation. */
  perConversationPerSecond: number;
  /** How many times one message is attempted. */
  attempts: number;
  /** Longest time spent on one message, attempts and waits, before giving up (the reconciler tries again later). */
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "REQUEST_SEND_ERROR",
]);

type ErrorLike = {
  statusCode?: number;
  code?: string;
  response?: { headers?: { get?(name: string): string | undefined } & Record<string, unknown> };
};

const statusOf = (e: unknown): number | undefined => (e as ErrorLike)?.statusCode;

/** Retry-After from the connector's answer (seconds or an HTTP date), in ms. */
const retryAfterMs = (e: unknown): number | undefined => {
  const headers = (e as ErrorLike)?.response?.headers;
  const raw =
    typeof headers?.get === "function" ? headers.get("retry-after") : (headers?.["retry-after"] as string | undefined);
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

export const isTransient = (e: unknown): boolean => {
  const status = statusOf(e);
  if (status !== undefined) return RETRYABLE.has(status);
  const code = (e as ErrorLike)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
};

/**
 * Outbound messages to Teams: paced per conversation (Teams throttles beyond about 7 a second), and
 * retried on throttling and transient failures with exponential backoff and full jitter, honouring
 * Retry-After. A message that still fails is left to the reconciler, which re-drives it later.
 */
export class Delivery {
  private readonly nextSlot = new Map<string, number>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly logger: Logger,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Waits for this conversation's next free slot. */
  private async pace(conversationId: string): Promise<void> {
    const gap = 1000 / this.options.perConversationPerSecond;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(conversationId) ?? 0);
    this.nextSlot.set(conversationId, slot + gap);
    if (this.nextSlot.size > 10_000) {
      for (const [key, at] of this.nextSlot) if (at < now) this.nextSlot.delete(key);
    }
    if (slot > now) await this.sleep(slot - now);
  }

  async send<T>(conversationId: string, what: string, op: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      await this.pace(conversationId);
      try {
        return await op();
      } catch (e) {
        if (!isTransient(e) || attempt >= this.options.attempts) throw e;
        const backoff = Math.min(8_000, 250 * 2 ** (attempt - 1));
        const wait = Math.max(retryAfterMs(e) ?? 0, Math.round(this.random() * backoff));
        // Bounded by the time spent in all, attempts included (the SDK retries inside each attempt too).
        if (Date.now() - started + wait > this.options.maxWaitMs) throw e;
        this.logger.info(
          { what, conversationId, attempt, status: statusOf(e) ?? (e as ErrorLike).code, waitMs: wait },
          "Teams asked to retry a message",
        );
        await this.sleep(wait);
      }
    }
  }
}
