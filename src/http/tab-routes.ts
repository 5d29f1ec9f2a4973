import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import restify, { type Request, type Response, type Server } from "restify";
import type { DevIdentityProvider } from "./dev-identity.js";

/** Where Vite writes the built People tab (the same path from src/ and from the compiled dist/). */
export const WEB_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** Hosts allowed to frame the tab: Teams and Microsoft 365 clients, nothing else. */
export const FRAME_ANCESTORS = [
  "'self'",
  "https://teams.microsoft.com",
  "https://*.teams.microsoft.com",
  "https://teams.cloud.microsoft",
  "https://*.cloud.microsoft",
  "https://*.office.com",
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "https://*.microsoft365.com",
];

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Fluent UI writes its generated class rules into <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  `frame-ancestors ${FRAME_ANCESTORS.join(" ")}`,
].join("; ");

const secure = (res: Response) => {
  res.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.header("X-Content-Type-Options", "nosniff");
  res.header("Referrer-Policy", "strict-origin-when-cross-origin");
};

/**
 * The People tab's static files under /tab, with a CSP that lets only Teams and Microsoft 365 frame
 * it; /api/auth/config tells the tab how to sign in; locally, the dev sign-in's JWKS and token endpoints.
 */
export const registerTabRoutes = (
  server: Server,
  options: { audience: string; dev: DevIdentityProvider | null; baseUrl: () => string; webDir?: string },
) => {
  const webDir = options.webDir ?? WEB_DIR;
  const files = restify.plugins.serveStaticFiles(webDir, { maxAge: 0 });

  server.get("/tab", (_req: Request, res: Response, next: restify.Next) => {
    res.redirect(302, "/tab/", next);
  });
  server.get("/tab/*", (req: Request, res: Response, next: restify.Next) => {
    secure(res);
    if (!existsSync(webDir)) {
      res.send(503, { error: "unavailable", message: "The People tab is not built: run npm run build:web." });
      return next(false);
    }
    return files(req, res, next);
  });

  server.get("/api/auth/config", async (_req: Request, res: Response) => {
    res.header("Cache-Control", "no-store");
    res.send(200, {
      mode: options.dev ? "dev" : "teams-sso",
      audience: options.audience,
      ...(options.dev ? { users: options.dev.users } : {}),
    });
  });

  const dev = options.dev;
  if (!dev) return;
  server.get("/dev/jwks.json", async (_req: Request, res: Response) => {
    res.send(200, { keys: [dev.jwk] });
  });
  server.post("/dev/token", async (req: Request, res: Response) => {
    const objectId = (req.body as { objectId?: unknown } | undefined)?.objectId;
    const token = typeof objectId === "string" ? await dev.signIn(objectId, options.baseUrl()) : undefined;
    if (!token) {
      res.send(404, { error: "not-found", message: "No such mock user." });
      return;
    }
    res.header("Cache-Control", "no-store");
    res.send(200, { token });
  });
};
