import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import restify, { type Request, type Response } from "restify";
import type { Logger, StoreHealth } from "../services/ports.js";

export type HttpOptions = {
  logger: Logger;
  /** The Bot Framework endpoint: token validation and the bot's turn; answers with a status and body. */
  messages: (
    body: unknown,
    authorization: string | undefined,
    correlationId: string,
  ) => Promise<{ status: number; body?: unknown; sent?: () => void }>;
  health: StoreHealth;
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
};

/** The HTTP surface: the bot endpoint and health; every error answers with its own status code. */
/** The correlation id of a request: the caller's, when it is a plain token, otherwise a new one. */
export const correlationIdOf = (req: Request): string =>
  (req as Request & { correlationId?: string }).correlationId ?? "";

export const createHttpServer = ({ logger, messages, health, maxBodyBytes }: HttpOptions) => {
  const server = restify.createServer({ name: "access-desk", handleUncaughtExceptions: false });
  // Every answer carries a correlation id, which every log line about the request repeats.
  server.pre((req: Request, res: Response, next: restify.Next) => {
    const given = req.header("x-correlation-id");
    const id = given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    (req as Request & { correlationId?: string }).correlationId = id;
    res.header("x-correlation-id", id);
    return next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false, mapFiles: false }));
  // Changes to the API carry JSON only.
  server.use((req: Request, res: Response, next: restify.Next) => {
    const hasBody = Number(req.header("content-length") ?? 0) > 0 || req.isChunked();
    if (req.path().startsWith("/api/") && hasBody && !req.is("application/json")) {
      res.send(415, { error: "unsupported-media-type", message: "Send JSON (Content-Type: application/json)." });
      return next(false);
    }
    return next();
  });

  server.post("/api/messages", async (req: Request, res: Response) => {
    if (!req.is("application/json")) {
      res.send(415, { error: "unsupported-media-type", message: "Activities must be sent as application/json." });
      return;
    }
    const answer = await messages(req.body, req.header("authorization") || undefined, correlationIdOf(req));
    try {
      if (answer.body === undefined) {
        res.status(answer.status);
        res.end();
      } else res.send(answer.status, answer.body);
    } finally {
      answer.sent?.();
    }
  });

  // Liveness: the process answers. Readiness: it can reach its store (App Service's health check uses this).
  server.get("/healthz", async (_req: Request, res: Response) => {
    res.send(200, { status: "ok" });
  });
  server.get("/readyz", async (_req: Request, res: Response) => {
    try {
      await health.ping();
      res.send(200, { status: "ready", store: "ok" });
    } catch (err) {
      logger.warn({ err }, "readiness check: store unreachable");
      res.send(503, { status: "unavailable", store: "unreachable" });
    }
  });

  server.on("restifyError", (req: Request, _res: Response, err: Error & { statusCode?: number }, next: () => void) => {
    const entry = { correlationId: correlationIdOf(req), path: req.path(), status: err.statusCode };
    if ((err.statusCode ?? 500) >= 500) logger.error({ ...entry, err }, "request failed");
    else logger.info({ ...entry, reason: err.message }, "request refused");
    next();
  });
  return server;
};

export type HttpServer = ReturnType<typeof createHttpServer>;

/** Listens and resolves with the actual port (0 picks a free one). */
export const listen = (server: HttpServer, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, host, () => resolve((server.server.address() as AddressInfo).port));
  });
