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
  now?: () => number;
};

/**
 * Teams' limits per bot and conversation beyond the one-second one are 8 in 2 seconds, 60 in 30
 * seconds and 1,800 in an hour, counted where the messages arrive. The longer windows keep a margin
 * (55 and 1,700) for messages that travel at different speeds, so that busy channels get no 429s.
 */
const TEAMS_THREAD_WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [2_000, 8],
  [30_000, 55],
  [3_600_000, 1_700],
];
const LONGEST_WINDOW_MS = 3_600_000;

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

/** A message not sent because its conversation's queue is longer than one message may wait. */
export class ConversationBusy extends Error {
  readonly code = "CONVERSATION_BUSY";
  constructor(conversationId: string, waitMs: number) {
    super(`Teams conversation ${conversationId} is busy: the next free slot is ${Math.ceil(waitMs / 1000)} s away`);
  }
}

export const isTransient = (e: unknown): boolean => {
  if (e instanceof ConversationBusy) return true;
  const status = statusOf(e);
  if (status !== undefined) return RETRYABLE.has(status);
  const code = (e as ErrorLike)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
};

/**
 * Outbound messages to Teams: paced per conversation within Teams' limits (7 a second, 8 in two
 * seconds, 60 in thirty seconds, 1,800 an hour), and
 * retried on throttling and transient failures with exponential backoff and full jitter, honouring
 * Retry-After. A message that still fails is left to the reconciler, which re-drives it later.
 */
export class Delivery {
  /** Per conversation: start times within the longest window, messages waiting, the last in line. */
  private readonly queues = new Map<string, { sent: number[]; waiting: number; last: Promise<void> }>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly logger: Logger,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The earliest time a next message may start, given the start times of those before it. */
  private nextSlot(sent: readonly number[], now: number): number {
    let slot = Math.max(now, sent.at(-1) ?? 0);
    for (const [length, max] of [[1000, this.options.perConversationPerSecond] as const, ...TEAMS_THREAD_WINDOWS]) {
      if (sent.length >= max) slot = Math.max(slot, sent[sent.length - max]! + length);
    }
    return slot;
  }

  /**
   * Waits for this conversation's turn. Messages to one conversation start one after another, each
   * within every window counted from the times the earlier ones really started, so a stalled process
   * does not release a burst. A message whose turn is further away than `waitAtMostMs` (a busy
   * channel on a Monday morning) is not queued: the caller leaves it to the reconciler, which comes
   * back to it within its lease rather than holding one open.
   */
  private async pace(conversationId: string, waitAtMostMs: number): Promise<void> {
    const now = this.now();
    const queue = this.queues.get(conversationId) ?? { sent: [], waiting: 0, last: Promise.resolve() };
    queue.sent = queue.sent.filter((t) => t > now - LONGEST_WINDOW_MS);
    // Where this message would start behind the ones already waiting.
    const projected = [...queue.sent];
    for (let i = 0; i <= queue.waiting; i++) projected.push(this.nextSlot(projected, now));
    const eta = projected.at(-1)! - now;
    if (eta > waitAtMostMs) throw new ConversationBusy(conversationId, eta);

    const before = queue.last;
    let done!: () => void;
    queue.last = new Promise<void>((resolve) => (done = resolve));
    queue.waiting++;
    this.queues.set(conversationId, queue);
    try {
      await before;
      const wait = this.nextSlot(queue.sent, this.now()) - this.now();
      if (wait > 0) await this.sleep(wait);
      queue.sent.push(this.now());
    } finally {
      queue.waiting--;
      done();
    }
    if (this.queues.size > 10_000) {
      for (const [key, q] of this.queues)
        if (q.waiting === 0 && (q.sent.at(-1) ?? 0) < now - LONGEST_WINDOW_MS) this.queues.delete(key);
    }
  }

  async send<T>(conversationId: string, what: string, op: () => Promise<T>): Promise<T> {
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      await this.pace(conversationId, this.options.maxWaitMs - (this.now() - started));
      try {
        return await op();
      } catch (e) {
        if (!isTransient(e) || attempt >= this.options.attempts) throw e;
        const backoff = Math.min(8_000, 250 * 2 ** (attempt - 1));
        const wait = Math.max(retryAfterMs(e) ?? 0, Math.round(this.random() * backoff));
        // Bounded by the time spent in all, attempts included (the SDK retries inside each attempt too).
        if (this.now() - started + wait > this.options.maxWaitMs) throw e;
        this.logger.info(
          { what, conversationId, attempt, status: statusOf(e) ?? (e as ErrorLike).code, waitMs: wait },
          "Teams asked to retry a message",
        );
        await this.sleep(wait);
      }
    }
  }
}
