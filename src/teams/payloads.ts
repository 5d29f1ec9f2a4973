import { z } from "zod/v4";
import { DECISION_INPUTS, REQUEST_INPUTS } from "./verbs.js";

/**
 * Shapes of the data Teams sends back from our cards (card data merged with the card's inputs).
 * Card data is client input: unknown fields are refused, sizes are bounded; the services then check
 * every value against the store.
 */
const short = z.string().max(100);
const note = z.string().max(4000);

export const submitRequestPayload = z.strictObject({
  [REQUEST_INPUTS.justification]: note.optional(),
  [REQUEST_INPUTS.wishedRole]: short.optional(),
});

export const reviewPayload = z.strictObject({ reviewId: short, personId: short });

export const decisionPayload = z.strictObject({
  requestId: short,
  [DECISION_INPUTS.role]: short.optional(),
  [DECISION_INPUTS.tenantAccess]: z.string().max(4000).optional(),
  [DECISION_INPUTS.expiry]: short.optional(),
  [DECISION_INPUTS.note]: note.optional(),
});

/** A readable sentence naming what is wrong with a payload. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((i) =>
      i.code === "unrecognized_keys"
        ? `unexpected field${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}`
        : `${i.path.join(".") || "payload"}: ${i.message}`,
    )
    .join("; ");
