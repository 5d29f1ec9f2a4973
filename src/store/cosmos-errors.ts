import { AlreadyExists, PreconditionFailed, StoreUnavailable } from "../services/ports.js";

type CosmosLikeError = { code?: number | string; statusCode?: number };

const statusOf = (e: unknown): number | undefined => {
  const err = e as CosmosLikeError;
  if (typeof err?.code === "number") return err.code;
  return err?.statusCode;
};

/** True for "not found" answers, which reads turn into `undefined`. */
export const isNotFound = (e: unknown): boolean => statusOf(e) === 404;

/** Translates SDK failures into the port's errors, so services never see the SDK. */
export const mapStoreError = (e: unknown, what: string): Error => {
  const status = statusOf(e);
  if (status === 412) return new PreconditionFailed(what);
  if (status === 409) return new AlreadyExists(what);
  if (status === 408 || status === 429 || status === 449 || status === 503 || status === undefined || status >= 500) {
    return new StoreUnavailable(e);
  }
  return e instanceof Error ? e : new Error(String(e));
};

/** Removes Cosmos DB's system properties (_rid, _etag, ...) from a stored document. */
export const withoutSystemProperties = <T>(doc: Record<string, unknown>): T => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) if (!key.startsWith("_")) out[key] = value;
  return out as T;
};
