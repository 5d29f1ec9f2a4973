import { isDomainError, type ErrorCode } from "../domain/errors.js";
import { StoreUnavailable } from "../services/ports.js";

export type Refusal = { status: number; code: string; message: string; expected: boolean };

const STATUS: Record<ErrorCode, number> = {
  "not-allowed": 403,
  "not-found": 404,
  invalid: 400,
  conflict: 409,
  stale: 412,
  "rate-limited": 429,
  "already-decided": 409,
  unavailable: 503,
};

/** The one place the bot turns a failure into what the person sees (and how loudly it is logged). */
export const refusalOf = (error: unknown): Refusal => {
  if (isDomainError(error))
    return { status: STATUS[error.code], code: error.code, message: error.message, expected: true };
  if (error instanceof StoreUnavailable) {
    return {
      status: 503,
      code: "unavailable",
      message: "Access Desk cannot reach its data store right now; try again in a minute.",
      expected: false,
    };
  }
  return {
    status: 500,
    code: "internal",
    message: "Something went wrong on our side; try again, and tell your admin if it keeps happening.",
    expected: false,
  };
};
