/** Every Action.Execute verb the bot's cards use, declared once. */
export const VERBS = {
  submitRequest: "submitRequest",
  approveRequest: "approveRequest",
  denyRequest: "denyRequest",
  requestExtension: "requestExtension",
  reviewKeep: "reviewKeep",
  reviewRevoke: "reviewRevoke",
} as const;
export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** Input ids on the decision card, shared by the card builder and the payload schema. */
export const DECISION_INPUTS = { role: "role", tenantAccess: "tenantAccess", expiry: "expiry", note: "note" } as const;
/** Input ids on the request form. */
export const REQUEST_INPUTS = { justification: "justification", wishedRole: "wishedRole" } as const;
