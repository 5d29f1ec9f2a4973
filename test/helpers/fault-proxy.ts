import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "throttle" | "unavailable" | "timeout" | "reset" | "latency";

/**
 * An HTTP proxy between the app and the Cosmos DB server that injects the faults Azure Cosmos DB
 * produces: 429 with x-ms-retry-after-ms, 503, 408, dropped connections, and latency. It answers in
 * Cosmos DB's own wire format, so the SDK's own retry logic meets them as it would in Azure.
 */
export class FaultProxy {
  /** Share of requests that get a fault (0..1). */
  faultRate = 0;
  kinds: Fault[] = ["throttle", "unavailable", "timeout", "reset"];
  /** Added to every request, faulted or not. */
  latencyMs = 0;
  readonly injected: Record<Fault, number> = { throttle: 0, unavailable: 0, timeout: 0, reset: 0, latency: 0 };
  requests = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res, upstream));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  get totalInjected(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, upstream: URL) {
    this.requests++;
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
    });
    if (this.latencyMs > 0) {
      this.injected.latency++;
      await new Promise((r) => setTimeout(r, this.latencyMs));
    }
    if (this.faultRate > 0 && Math.random() < this.faultRate) {
      const kind = this.kinds[Math.floor(Math.random() * this.kinds.length)]!;
      this.injected[kind]++;
      const cosmosError = (status: number, code: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", "x-ms-activity-id": "fault", ...headers });
        res.end(JSON.stringify({ code, message: `Injected ${code}` }));
      };
      if (kind === "throttle") return cosmosError(429, "TooManyRequests", { "x-ms-retry-after-ms": "50" });
      if (kind === "unavailable") return cosmosError(503, "ServiceUnavailable");
      if (kind === "timeout") return cosmosError(408, "RequestTimeout");
      req.socket.destroy();
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    forward.end(body);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}
