/** Coded errors that every layer maps in one place: services throw them, transports translate them. */
export const ERROR_CODES = [
  "not-allowed",
  "already-decided",
  "not-found",
  "conflict",
  "stale",
  "rate-limited",
  "invalid",
  "unavailable",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal with a code, a message a person can read, and details for logs and cards. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notAllowed = (message: string, details?: Record<string, unknown>) =>
  new DomainError("not-allowed", message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError("not-found", message, details);
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError("invalid", message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", message, details);
/** The record changed since the client read it (a stale ETag): reload, then try again. */
export const stale = (message: string, details?: Record<string, unknown>) => new DomainError("stale", message, details);
/** Too many attempts in a short time; `retryAfterSeconds` says when to try again. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError("rate-limited", message, { retryAfterSeconds });
export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new DomainError("unavailable", message, details);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
