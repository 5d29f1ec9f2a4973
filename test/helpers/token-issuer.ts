import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A stand-in for Entra ID's token side, speaking its protocol over HTTP: a JWKS endpoint and RS256
 * tokens shaped like Entra v2 tokens, so that the production validation code runs unchanged.
 */
export class TestTokenIssuer {
  private constructor(
    private readonly server: Server,
    private readonly keys: KeyPair,
    private readonly kid: string,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<TestTokenIssuer> {
    const keys = await generateKeyPair("RS256", { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: "RS256", use: "sig" };
    const server = createServer((req, res) => {
      if (req.url === "/discovery/v2.0/keys") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return new TestTokenIssuer(server, keys, kid, `http://127.0.0.1:${port}`);
  }

  get issuerTemplate() {
    return `${this.baseUrl}/{tid}/v2.0`;
  }
  get jwksUrl() {
    return `${this.baseUrl}/discovery/v2.0/keys`;
  }

  /** A token for a person; `overrides` changes claims, `options` the lifetime, issuer or signing key. */
  async token(
    person: { objectId: string; directoryId: string; name?: string; upn?: string },
    audience: string,
    overrides: JWTPayload = {},
    options: { expiresInSeconds?: number; issuer?: string; key?: KeyPair["privateKey"]; kid?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      oid: person.objectId,
      tid: person.directoryId,
      name: person.name ?? "Test Person",
      preferred_username: person.upn ?? "test@contoso.example",
      scp: "access_as_user",
      ver: "2.0",
      ...overrides,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: options.kid ?? this.kid, typ: "JWT" })
      .setIssuer(options.issuer ?? this.issuerTemplate.replace("{tid}", person.directoryId))
      .setAudience(audience)
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(options.key ?? this.keys.privateKey);
  }

  static async otherKey() {
    return (await generateKeyPair("RS256")).privateKey;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
