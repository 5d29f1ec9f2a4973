import { rootCertificates } from "node:tls";
import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { GraphAuth } from "../config.js";

const PUBLIC_AUTHORITY = "https://login.microsoftonline.com";

/** The certificate authorities to trust: the usual ones plus the configured extra one (not instead of them). */
export const trustedCas = (caPem: string | null): string[] | undefined =>
  caPem ? [...rootCertificates, caPem] : undefined;

/**
 * The credential that signs in to one directory for Microsoft Graph. A client secret signs in to any
 * directory that consented to the app; a managed identity only to its own. Outside the public cloud
 * (sovereign clouds, a test stand-in) instance discovery is skipped: it would ask the public cloud.
 */
export const graphCredential = (
  auth: GraphAuth,
  directoryId: string,
  options: { authorityHost: string; caPem: string | null },
): TokenCredential => {
  const ca = trustedCas(options.caPem);
  const common = {
    authorityHost: options.authorityHost,
    ...(options.authorityHost !== PUBLIC_AUTHORITY ? { disableInstanceDiscovery: true } : {}),
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
  if (auth.kind === "managed-identity") {
    return new ManagedIdentityCredential({ ...(auth.clientId ? { clientId: auth.clientId } : {}), ...common });
  }
  return new ClientSecretCredential(directoryId, auth.clientId, auth.secret, common);
};

/**
 * A short, loggable reason for a refused sign-in: the AADSTS code and its first sentence when Entra
 * gave one (never the secret, which Entra does not echo).
 */
export const signInFailure = (e: unknown): string => {
  const message = e instanceof Error ? e.message : String(e);
  const aadsts = /AADSTS\d+:[^.]*\./.exec(message);
  if (aadsts) return `sign-in refused: ${aadsts[0]}`;
  return `sign-in failed: ${message.split("\n")[0]!.slice(0, 200)}`;
};
