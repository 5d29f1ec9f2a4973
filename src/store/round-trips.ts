import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

/**
 * Counts the Cosmos DB round trips a piece of work makes: every HTTP request the Cosmos SDK sends
 * (it names itself azure-cosmos-js in its user agent), as Node reports it on its diagnostics channel,
 * counted for the work in whose async context it was sent. The bot logs each turn's count, so the
 * request units behind a turn can be seen in the logs.
 */
type Tally = { calls: number };
const current = new AsyncLocalStorage<Tally>();
let watching = false;

const watch = () => {
  if (watching) return;
  subscribe("http.client.request.start", (message) => {
    const tally = current.getStore();
    if (!tally) return;
    const request = (message as { request: ClientRequest }).request;
    if (String(request.getHeader("user-agent") ?? "").includes("azure-cosmos-js")) tally.calls++;
  });
  watching = true;
};

/**
 * Runs `work`; `calls()` says how many Cosmos DB requests it has sent so far (work it left running
 * goes on counting).
 */
export const countingStoreCalls = async <T>(work: () => Promise<T>): Promise<{ value: T; calls: () => number }> => {
  watch();
  const tally: Tally = { calls: 0 };
  const value = await current.run(tally, work);
  return { value, calls: () => tally.calls };
};
