import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { parse } from "yaml";
import { REQUIRED_SCOPE } from "./tab-auth.js";

export type DevUser = { objectId: string; name: string; upn: string; email: string | null };

/**
 * Local mode's stand-in for Entra ID sign-in: a key pair of its own, its public key published as a
 * JWKS, and tokens for the Agents Playground's mock users, shaped like Entra v2 tokens. The server
 * checks them with the same code as real ones; only the issuer and key URL differ.
 */
export class DevIdentityProvider {
  private constructor(
    private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"],
    readonly jwk: JWK,
    readonly users: DevUser[],
    readonly directoryId: string,
    private readonly audience: string,
  ) {}

  static async create(options: { local: boolean; usersFile: string; audience: string }): Promise<DevIdentityProvider> {
    if (!options.local) throw new Error("The dev sign-in runs only in local mode.");
    const mock = parse(readFileSync(options.usersFile, "utf8")) as {
      tenantId: string;
      currentUser: { aadObjectId: string; name: string; userPrincipleName: string; email?: string };
      users: Array<{ aadObjectId: string; name: string; userPrincipleName: string; email?: string }>;
    };
    const users = [mock.currentUser, ...mock.users].map((u) => ({
      objectId: u.aadObjectId.toLowerCase(),
      name: u.name,
      upn: u.userPrincipleName.toLowerCase(),
      email: u.email?.toLowerCase() ?? null,
    }));
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: "RS256", use: "sig" };
    return new DevIdentityProvider(privateKey, jwk, users, mock.tenantId.toLowerCase(), options.audience);
  }

  /** The issuer template the server validates against: `{tid}` is the token's directory. */
  static issuer(baseUrl: string): string {
    return `${baseUrl}/dev/{tid}/v2.0`;
  }

  /** A one-hour token for a mock user, or undefined for someone not in the mock tenant. */
  async signIn(objectId: string, baseUrl: string): Promise<string | undefined> {
    const user = this.users.find((u) => u.objectId === objectId.toLowerCase());
    if (!user) return undefined;
    return new SignJWT({
      oid: user.objectId,
      tid: this.directoryId,
      name: user.name,
      preferred_username: user.upn,
      scp: REQUIRED_SCOPE,
      ver: "2.0",
    })
      .setProtectedHeader({ alg: "RS256", kid: this.jwk.kid!, typ: "JWT" })
      .setIssuer(DevIdentityProvider.issuer(baseUrl).replace("{tid}", this.directoryId))
      .setAudience(this.audience)
      .setSubject(user.objectId)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(this.privateKey);
  }
}
