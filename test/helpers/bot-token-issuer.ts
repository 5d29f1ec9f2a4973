import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A stand-in for the Bot Framework's token service, speaking its protocol over HTTP: an OpenID
 * metadata document and a JWKS whose keys are endorsed for Teams, and RS256 channel tokens with the
 * claims the Bot Connector sends (iss, aud = the bot's app id, serviceurl). The bot's production
 * validation (botbuilder's CloudAdapter) checks them unchanged.
 */
export class BotTokenIssuer {
  private constructor(
    private readonly server: Server,
    private readonly keys: KeyPair,
    private readonly kid: string,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<BotTokenIssuer> {
    const keys = await generateKeyPair("RS256", { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: "RS256", use: "sig", endorsements: ["msteams"] };
    let base = "";
    const server = createServer((req, res) => {
      if (req.url === "/.well-known/openid-configuration") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ issuer: base, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ["RS256"] }),
        );
      } else if (req.url === "/keys") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new BotTokenIssuer(server, keys, kid, base);
  }

  get metadataUrl() {
    return `${this.baseUrl}/.well-known/openid-configuration`;
  }
  get issuer() {
    return this.baseUrl;
  }

  /** A channel token for an activity; `overrides` change claims, `options` lifetime, issuer or key. */
  async token(
    botId: string,
    serviceUrl: string,
    overrides: JWTPayload = {},
    options: { expiresInSeconds?: number; issuer?: string; key?: KeyPair["privateKey"] } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: serviceUrl, ...overrides })
      .setProtectedHeader({ alg: "RS256", kid: this.kid, typ: "JWT" })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(botId)
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(options.key ?? this.keys.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
