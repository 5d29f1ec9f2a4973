import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import type { Identity } from "../domain/person.js";

/** The People tab's caller could not be authenticated: 401, with the reason (which is also logged). */
export class Unauthenticated extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "Unauthenticated";
  }
}

export type TabAuthSettings = {
  /** Expected issuer, `{tid}` standing for the token's directory. */
  issuer: string;
  jwksUrl: string;
  audiences: readonly string[];
  allowedDirectoryIds: readonly string[];
};

export const REQUIRED_SCOPE = "access_as_user";
/** Clock skew tolerated on exp/nbf/iat. */
export const CLOCK_TOLERANCE_SECONDS = 300;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const reasonOf = (e: unknown): string => {
  if (e instanceof errors.JWTExpired) return "the token has expired";
  if (e instanceof errors.JWTClaimValidationFailed) return `the token's ${e.claim} claim is not accepted`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is not valid";
  if (e instanceof errors.JWKSNoMatchingKey) return "the token was not signed by a known key";
  if (e instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) return "the token is malformed";
  if (e instanceof errors.JWKSTimeout) return "the signing keys could not be fetched in time";
  return "the token could not be verified";
};

/**
 * Validates the Entra ID token the tab sends (Teams SSO, or the local dev sign-in, which differ only
 * in issuer and key URL): RS256 signature against the JWKS, issuer for the token's directory,
 * audience, expiry, the directory allowed, and the `access_as_user` scope. The person is `oid`.
 */
export const createTabAuthenticator = (settings: () => TabAuthSettings) => {
  let keys: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;
  const keySet = (url: string) => {
    if (keys?.url !== url)
      keys = { url, set: createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }) };
    return keys.set;
  };

  return async (authorization: string | undefined): Promise<Identity> => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? "");
    if (!match) throw new Unauthenticated("a bearer token is required");
    const token = match[1]!;
    const s = settings();
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new Unauthenticated("the token is malformed");
    }
    const tid = typeof unverified.tid === "string" ? unverified.tid.toLowerCase() : "";
    if (!GUID.test(tid) || !s.allowedDirectoryIds.includes(tid)) {
      throw new Unauthenticated("the token's directory is not allowed to use Access Desk");
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet(s.jwksUrl), {
        issuer: s.issuer.replace("{tid}", tid),
        audience: [...s.audiences],
        algorithms: ["RS256"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "iat", "oid", "tid"],
      }));
    } catch (e) {
      throw new Unauthenticated(reasonOf(e));
    }
    if (String(payload.tid).toLowerCase() !== tid)
      throw new Unauthenticated("the token's directory is not allowed to use Access Desk");
    const scopes = typeof payload.scp === "string" ? payload.scp.split(" ") : [];
    if (!scopes.includes(REQUIRED_SCOPE)) throw new Unauthenticated(`the token lacks the ${REQUIRED_SCOPE} scope`);
    const oid = typeof payload.oid === "string" ? payload.oid.toLowerCase() : "";
    if (!GUID.test(oid)) throw new Unauthenticated("the token's oid claim is not an object id");
    const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 200) : null);
    return {
      objectId: oid,
      directoryId: tid,
      name: text(payload.name),
      upn: text(payload.preferred_username)?.toLowerCase() ?? text(payload.upn)?.toLowerCase() ?? null,
      email: text(payload.email)?.toLowerCase() ?? null,
    };
  };
};
export type TabAuthenticator = ReturnType<typeof createTabAuthenticator>;
