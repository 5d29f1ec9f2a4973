import type { StoreCall } from "./store-process.js";

/**
 * Whether a call is about the given people: any call but one on another person's request (whose id is
 * their object id, "-r", a number), such as a card update still waiting its turn in the admins channel.
 */
export const concerns = (c: StoreCall, personIds: readonly string[]): boolean => {
  const request = /\/docs\/([0-9a-f-]{36})-r\d+$/.exec(c.path);
  return !request || personIds.includes(request[1]!);
};
