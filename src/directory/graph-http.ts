import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export type GraphResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: unknown };

/** How long one Graph call may take before it counts as failed (and is retried). */
const TIMEOUT_MS = 30_000;
/** Largest answer read (a delta page of a few hundred accounts is far smaller). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * GETs JSON from Microsoft Graph over node:https with keep-alive, trusting `ca` when given (an extra
 * certificate authority besides the usual ones). Plain http is used only when the configured endpoint
 * is a loopback stand-in (config.ts refuses it otherwise).
 */
export class GraphHttp {
  private readonly https: HttpsAgent;
  private readonly http = new HttpAgent({ keepAlive: true });
  constructor(ca: string[] | undefined) {
    this.https = new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) });
  }

  get(url: string, headers: Record<string, string>): Promise<GraphResponse> {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        target,
        { method: "GET", headers: { accept: "application/json", ...headers }, agent: secure ? this.https : this.http },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) req.destroy(new Error("Graph answer too large"));
            else chunks.push(c);
          });
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = null;
            try {
              body = text ? JSON.parse(text) : null;
            } catch {
              body = null;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`Graph did not answer within ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  close(): void {
    this.https.destroy();
    this.http.destroy();
  }
}
