import assert from "node:assert/strict";
import { createRequire } from "node:module";

// The package's ES build has extension-less imports Node cannot load; its UMD bundle is the same SDK.
const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

export type ParsedCard = {
  verbs: string[];
  inputIds: string[];
  actionData: Array<Record<string, unknown>>;
};

/**
 * Parses a card with the Adaptive Cards SDK (the renderer Teams and the Playground use) and fails on
 * any parse or validation event: unknown elements, duplicate ids, bad values, inputs without labels.
 */
export const parseWithSdk = (json: unknown): ParsedCard => {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const parseEvents = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  assert.deepEqual(parseEvents, [], "the Adaptive Cards SDK reported parse problems");
  const validation = card.validateProperties().validationEvents.map((e) => e.message);
  assert.deepEqual(validation, [], "the Adaptive Cards SDK reported validation problems");
  const actions = Array.from({ length: card.getActionCount() }, (_, i) => card.getActionAt(i)!);
  return {
    verbs: actions
      .filter((a): a is InstanceType<typeof AC.ExecuteAction> => a instanceof AC.ExecuteAction)
      .map((a) => a.verb ?? ""),
    inputIds: card.getAllInputs().map((i) => i.id ?? ""),
    actionData: actions.map((a) => ((a as { data?: unknown }).data ?? {}) as Record<string, unknown>),
  };
};
