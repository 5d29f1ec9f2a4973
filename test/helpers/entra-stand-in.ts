import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWTPayload } from "jose";
import { generate } from "selfsigned";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** An app registration the stand-in knows: its client id and secret, and the directories it may sign in to. */
export type StandInApp = { clientId: string; secret: string; directories: string[] };

/**
 * A stand-in for Entra ID's sign-in service, over HTTPS (MSAL refuses other authorities) with a
 * self-signed certificate: the OpenID metadata and instance discovery documents MSAL reads, and the
 * OAuth 2.0 client-credentials token endpoint, which checks the client id and secret and answers a wrong
 * one with the AADSTS error Entra gives. Tokens are RS256 JWTs shaped like Entra's app-only tokens.
 */
export class EntraStandIn {
  /** Token requests answered (granted or refused), newest last. */
  readonly tokenRequests: Array<{ directoryId: string; clientId: string; scope: string; granted: boolean }> = [];
  private constructor(
    private readonly server: Server,
    private readonly keys: KeyPair,
    private readonly jwk: Record<string, unknown>,
    readonly url: string,
    /** The certificate (PEM) clients must trust: what GRAPH_CA_FILE points at. */
    readonly caPem: string,
    /** Key and certificate, for other stand-ins (Graph) to serve HTTPS under the same trust. */
    readonly tls: { key: string; cert: string },
    readonly apps: StandInApp[],
  ) {}

  static async start(apps: StandInApp[]): Promise<EntraStandIn> {
    const [keys, pems] = await Promise.all([
      generateKeyPair("RS256", { extractable: true }),
      generate([{ name: "commonName", value: "entra-stand-in.local" }], {
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
          { name: "basicConstraints", cA: true },
          { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
          { name: "extKeyUsage", serverAuth: true },
          {
            name: "subjectAltName",
            altNames: [
              { type: 2, value: "localhost" },
              { type: 7, ip: "127.0.0.1" },
            ],
          },
        ],
      }),
    ]);
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: randomUUID(), alg: "RS256", use: "sig" };
    let standIn: EntraStandIn | undefined;
    const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      void standIn!.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new EntraStandIn(
      server,
      keys,
      jwk,
      `https://127.0.0.1:${port}`,
      pems.cert,
      { key: pems.private, cert: pems.cert },
      apps,
    );
    return standIn;
  }

  /** Checks a bearer token as a resource would: signature, expiry, audience; returns its claims. */
  async verify(token: string, audience: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [this.jwk] }), { audience });
    return payload;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/common/discovery/instance") {
      const host = new URL(this.url).host;
      return json(200, {
        tenant_discovery_endpoint: `${this.url}/{tenant}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (metadata) {
      const t = metadata[1]!;
      return json(200, {
        token_endpoint: `${this.url}/${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${this.url}/${t}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${this.url}/${t}/oauth2/v2.0/logout`,
        jwks_uri: `${this.url}/${t}/discovery/v2.0/keys`,
        issuer: `${this.url}/${t}/v2.0`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        tenant_region_scope: "EU",
      });
    }
    if (/^\/[^/]+\/discovery\/v2\.0\/keys$/.test(url.pathname)) return json(200, { keys: [this.jwk] });
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token && req.method === "POST") return this.issue(token[1]!.toLowerCase(), await readForm(req), json);
    return json(404, { error: "not_found" });
  }

  private async issue(directoryId: string, form: URLSearchParams, json: (status: number, body: unknown) => void) {
    const clientId = form.get("client_id") ?? "";
    const scope = form.get("scope") ?? "";
    const refuse = (status: number, error: string, code: number, text: string) => {
      this.tokenRequests.push({ directoryId, clientId, scope, granted: false });
      const traceId = randomUUID();
      const correlationId = form.get("client-request-id") ?? randomUUID();
      json(status, {
        error,
        error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString().replace("T", " ").slice(0, 19)}Z`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${this.url}/error?code=${code}`,
      });
    };
    if (form.get("grant_type") !== "client_credentials")
      return refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    const app = this.apps.find((a) => a.clientId === clientId);
    if (!app || !app.directories.includes(directoryId))
      return refuse(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${directoryId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    if (form.get("client_secret") !== app.secret)
      return refuse(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
      );
    if (!scope.endsWith("/.default"))
      return refuse(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    this.tokenRequests.push({ directoryId, clientId, scope, granted: true });
    const resource = scope.slice(0, -"/.default".length);
    const accessToken = await new SignJWT({ tid: directoryId, appid: clientId, roles: ["User.Read.All"], ver: "1.0" })
      .setProtectedHeader({ alg: "RS256", kid: this.jwk.kid as string, typ: "JWT" })
      .setIssuer(`https://sts.windows.net/${directoryId}/`)
      .setAudience(resource)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(this.keys.privateKey);
    json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

const readForm = (req: IncomingMessage): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => resolve(new URLSearchParams(data)));
    req.on("error", reject);
  });
