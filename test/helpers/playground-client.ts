import WebSocket from "ws";

/** A message the bot sent or updated, as the Playground streams it to its clients. */
export type StreamEvent = {
  action: "createMessage" | "updateMessage" | string;
  actionConversationId: string;
  message: {
    messageId: string;
    from: { id: string };
    text?: string;
    attachments?: Array<{ contentType: string; content: unknown }>;
    postConversationId?: string;
  };
  receivedAt: number;
};

export type InvokeAnswer = {
  status: number;
  body: { type?: string; value?: unknown; statusCode?: number; code?: string; message?: string };
};

/**
 * Drives the Microsoft 365 Agents Playground over the same HTTP API and websocket its browser UI
 * uses: sends messages and card actions as mock users, and records everything the bot sends.
 */
export class PlaygroundClient {
  readonly events: StreamEvent[] = [];
  private socket?: WebSocket;
  private waiters: Array<() => void> = [];

  constructor(readonly url: string) {}

  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.url.replace(/^http/, "ws")}/_ws_conversation/v1/conversations/stream`);
    socket.on("message", (raw) => {
      const event = JSON.parse(raw.toString()) as Omit<StreamEvent, "receivedAt">;
      this.events.push({ ...event, receivedAt: Date.now() });
      for (const wake of this.waiters.splice(0)) wake();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
  }

  /** A mark to wait only for events after this point. */
  mark(): number {
    return this.events.length;
  }

  /** Waits for the first event after `from` that matches, or fails after `timeoutMs`. */
  async waitFor(
    match: (e: StreamEvent) => boolean,
    options: { from?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<StreamEvent> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.events.slice(options.from ?? 0).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for ${options.what ?? "a bot message"}; saw:\n${this.events
            .slice(options.from ?? 0)
            .map(describe)
            .join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Events after `from` that match, once no new event has arrived for `quietMs`. */
  async settle(
    match: (e: StreamEvent) => boolean,
    options: { from?: number; quietMs?: number } = {},
  ): Promise<StreamEvent[]> {
    let count = -1;
    while (count !== this.events.length) {
      count = this.events.length;
      await new Promise((r) => setTimeout(r, options.quietMs ?? 700));
    }
    return this.events.slice(options.from ?? 0).filter(match);
  }

  async sendMessage(
    conversationId: string,
    fromId: string,
    text: string,
    mention?: { id: string; name: string },
  ): Promise<string> {
    const body = mention
      ? {
          from: { id: fromId },
          text: `<at>${mention.name}</at> ${text}`,
          textFormat: "plain",
          mentions: [{ mentioned: { id: mention.id }, text: `<at>${mention.name}</at>` }],
        }
      : { from: { id: fromId }, text, textFormat: "plain" };
    const res = await fetch(
      `${this.url}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    if (res.status !== 200) throw new Error(`Playground refused the message: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { messageId: string }).messageId;
  }

  /** Clicks an Action.Execute button as `fromId`; inputs go in `data`, as Teams merges them. */
  async invoke(options: {
    fromId: string;
    conversationId: string;
    replyToId: string;
    verb: string;
    data: Record<string, unknown>;
  }): Promise<InvokeAnswer> {
    const res = await fetch(`${this.url}/_conversation/v1/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "adaptiveCard/action",
        from: { id: options.fromId },
        conversation: { id: options.conversationId },
        replyToId: options.replyToId,
        value: { action: { type: "Action.Execute", verb: options.verb, data: options.data } },
      }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  async install(conversationId: string): Promise<void> {
    const res = await fetch(`${this.url}/_debug/conversation/${encodeURIComponent(conversationId)}/installation`, {
      method: "POST",
    });
    if (res.status !== 200) throw new Error(`Playground refused the installation: ${res.status}`);
  }
}

const describe = (e: StreamEvent) =>
  `  ${e.action} in ${e.actionConversationId}: ${JSON.stringify(e.message.attachments?.[0]?.content ?? e.message.text).slice(0, 300)}`;

/** The Adaptive Card in a streamed message, if any. */
export const cardOf = (e: StreamEvent): Record<string, unknown> | undefined =>
  e.message.attachments?.find((a) => a.contentType === "application/vnd.microsoft.card.adaptive")?.content as
    Record<string, unknown> | undefined;

/** All text a card shows (TextBlocks and facts), for assertions on what people read. */
export const cardText = (card: unknown): string => {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (n.type === "TextBlock" && typeof n.text === "string") out.push(n.text);
    if (n.type === "FactSet" && Array.isArray(n.facts))
      for (const f of n.facts as Array<{ title: string; value: string }>) out.push(`${f.title}: ${f.value}`);
    for (const v of Object.values(n)) if (typeof v === "object") walk(v);
  };
  walk(card);
  return out.join("\n");
};
