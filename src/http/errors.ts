import { z } from "zod/v4";
import { isDomainError, type ErrorCode } from "../domain/errors.js";
import { StoreUnavailable } from "../services/ports.js";
import { Unauthenticated } from "./tab-auth.js";

/** An HTTP refusal: status, a stable code, a sentence for people, and the field at fault when there is one. */
export type HttpError = {
  status: number;
  body: { error: string; message: string; field?: string };
  /** Seconds to wait before trying again (429). */
  retryAfter?: number;
};

/** The one table from domain error codes to HTTP status codes. */
export const STATUS_OF: Record<ErrorCode, number> = {
  "not-allowed": 403,
  "not-found": 404,
  invalid: 400,
  conflict: 409,
  "already-decided": 409,
  stale: 412,
  "rate-limited": 429,
  unavailable: 503,
};

/** A request body or query that does not fit its schema: 400 naming the field. */
export class BadInput extends Error {
  constructor(
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = "BadInput";
  }
}

export const badInputFrom = (error: z.ZodError): BadInput => {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys")
    return new BadInput(`Unexpected field: ${issue.keys.join(", ")}.`, issue.keys[0]);
  const field = issue.path.join(".") || undefined;
  return new BadInput(`${field ?? "The body"}: ${issue.message}.`, field);
};

/** Every failure becomes its own status code; nothing is ever answered 200. */
export const httpErrorOf = (e: unknown): HttpError => {
  if (e instanceof Unauthenticated)
    return { status: 401, body: { error: "unauthenticated", message: `Not signed in: ${e.reason}.` } };
  if (e instanceof BadInput)
    return { status: 400, body: { error: "invalid", message: e.message, ...(e.field ? { field: e.field } : {}) } };
  if (isDomainError(e)) {
    const field = typeof e.details.field === "string" ? e.details.field : undefined;
    const retryAfter = typeof e.details.retryAfterSeconds === "number" ? e.details.retryAfterSeconds : undefined;
    return {
      status: STATUS_OF[e.code],
      body: { error: e.code, message: e.message, ...(field ? { field } : {}) },
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
  }
  if (e instanceof StoreUnavailable) {
    return {
      status: 503,
      body: { error: "unavailable", message: "The data store did not answer; try again in a minute." },
    };
  }
  return { status: 500, body: { error: "internal", message: "Something went wrong on our side." } };
};
