import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type SentActivity = { method: string; path: string; body: Record<string, unknown>; at: number };

/**
 * A stand-in for the Bot Connector service (what Teams runs at an activity's serviceUrl), speaking
 * its REST protocol: it accepts the bot's replies, updates and member look-ups, and records them.
 */
export class ConnectorSink {
  readonly sent: SentActivity[] = [];
  /** Answers Teams gives before accepting, to test retries: each is used once, in order. */
  readonly failures: Array<{ status: number; headers?: Record<string, string> }> = [];
  /** Every attempt, including refused ones. */
  attempts = 0;
  private counter = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    members: Record<string, { name: string; userPrincipalName: string; email?: string; aadObjectId: string }> = {},
  ) {
    let sink: ConnectorSink | undefined;
    const server = createServer(async (req, res) => {
      const body = await readJson(req);
      const path = req.url ?? "";
      sink!.attempts++;
      const failure = req.method !== "GET" ? sink!.failures.shift() : undefined;
      if (failure) {
        res.writeHead(failure.status, { "content-type": "application/json", ...failure.headers });
        res.end(JSON.stringify({ error: { code: "Throttled", message: "injected" } }));
        return;
      }
      sink!.sent.push({ method: req.method ?? "", path, body, at: Date.now() });
      const member = /\/v3\/conversations\/[^/]+\/members\/([^/?]+)/.exec(path);
      if (req.method === "GET" && member) {
        const m = members[decodeURIComponent(member[1]!)];
        res.writeHead(m ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify(m ? { id: decodeURIComponent(member[1]!), ...m } : { error: { code: "NotFound" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: `sink-${++sink!.counter}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    sink = new ConnectorSink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return sink;
  }

  /** New messages posted into a conversation (request cards, in the admins channel). */
  cardPosts(conversationId: string): SentActivity[] {
    return this.sent.filter(
      (s) =>
        s.method === "POST" && decodeURIComponent(s.path).includes(`/v3/conversations/${conversationId}/activities`),
    );
  }

  /** Updates of messages in a conversation (a card showing its outcome). */
  cardUpdates(conversationId: string): SentActivity[] {
    return this.sent.filter(
      (s) =>
        s.method === "PUT" && decodeURIComponent(s.path).includes(`/v3/conversations/${conversationId}/activities`),
    );
  }

  /** Decision notices sent into a person's chat. */
  decisionNoticesTo(conversationId: string): SentActivity[] {
    return this.cardPosts(conversationId).filter((s) => /was (approved|denied)/.test(JSON.stringify(s.body)));
  }

  /** Messages sent to a conversation (not member look-ups). */
  messagesTo(conversationId: string): SentActivity[] {
    return this.sent.filter(
      (s) =>
        s.method !== "GET" && decodeURIComponent(s.path).includes(`/v3/conversations/${conversationId}/activities`),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

const readJson = (req: IncomingMessage): Promise<Record<string, unknown>> =>
  new Promise((resolve) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      try {
        resolve(data ? (JSON.parse(data) as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
