import assert from "node:assert/strict";
import pino from "pino";
import { ConversationBusy, Delivery } from "./delivery.js";

/**
 * A virtual clock: `sleep` books a wake-up, and `drive` moves time to the next one once everything
 * runnable has run. `lateBy` makes some wake-ups late, as a busy process does.
 */
const virtualTime = (lateBy: (call: number) => number = () => 0) => {
  let t = 0;
  let calls = 0;
  const timers: Array<{ at: number; wake: () => void }> = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: t + ms + lateBy(++calls), wake })),
    async drive<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const result = work.finally(() => (done = true));
      result.catch(() => undefined);
      for (;;) {
        await settle();
        if (done) return result;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) continue;
        t = Math.max(t, next.at);
        next.wake();
      }
    },
  };
};

/** The most starts within any `ms` window. */
const busiest = (starts: readonly number[], ms: number) => {
  let most = 0;
  for (const from of starts) most = Math.max(most, starts.filter((s) => s >= from && s < from + ms).length);
  return most;
};

const TEAMS_LIMITS = [
  [1_000, 7],
  [2_000, 8],
  [30_000, 60],
  [3_600_000, 1_800],
] as const;

const delivery = (clock: ReturnType<typeof virtualTime>, maxWaitMs: number) =>
  new Delivery(
    { perConversationPerSecond: 7, attempts: 3, maxWaitMs, sleep: clock.sleep, now: clock.now, random: () => 0.5 },
    pino({ level: "silent" }),
  );

describe("messages into one Teams conversation", () => {
  it("keep to every one of Teams' limits, however many are sent at once, and lose no time doing so", async () => {
    const clock = virtualTime();
    const out = delivery(clock, 24 * 3_600_000);
    const starts: number[] = [];
    await clock.drive(
      Promise.all(
        Array.from({ length: 200 }, (_, i) => out.send("19:admins", `card ${i}`, async () => starts.push(clock.now()))),
      ),
    );
    assert.equal(starts.length, 200);
    for (const [ms, max] of TEAMS_LIMITS) assert.ok(busiest(starts, ms) <= max, `${busiest(starts, ms)} in ${ms} ms`);
    // 55 every 30 s: the 200th message starts in the fourth half-minute, not later.
    assert.ok(starts.at(-1)! < 120_000, `last start at ${starts.at(-1)} ms`);
    assert.equal(busiest(starts, 1_000), 7, "a burst goes out at full speed");
  });

  it("stay within the limits when the process wakes late (no burst after a stall)", async () => {
    const clock = virtualTime((call) => (call % 10 === 0 ? 3_000 : 0));
    const out = delivery(clock, 24 * 3_600_000);
    const starts: number[] = [];
    await clock.drive(
      Promise.all(
        Array.from({ length: 120 }, (_, i) => out.send("19:admins", `card ${i}`, async () => starts.push(clock.now()))),
      ),
    );
    assert.equal(starts.length, 120);
    for (const [ms, max] of TEAMS_LIMITS) assert.ok(busiest(starts, ms) <= max, `${busiest(starts, ms)} in ${ms} ms`);
  });

  it("refuse to queue a message whose turn is further away than it may wait, and send none of those", async () => {
    const clock = virtualTime();
    const out = delivery(clock, 30_000);
    const starts: number[] = [];
    const results = await clock.drive(
      Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => out.send("19:admins", `card ${i}`, async () => starts.push(clock.now()))),
      ),
    );
    const refused = results.filter((r) => r.status === "rejected");
    assert.ok(
      refused.every((r) => r.reason instanceof ConversationBusy),
      "refusals say the conversation is busy",
    );
    assert.equal(starts.length + refused.length, 100);
    // 55 in the first 30 s, and the next burst of 7 right at 30 s, when the first burst leaves the window.
    assert.equal(starts.length, 62, `${starts.length} sent within 30 s`);
    for (const [ms, max] of TEAMS_LIMITS) assert.ok(busiest(starts, ms) <= max, `${busiest(starts, ms)} in ${ms} ms`);
    assert.ok(Math.max(...starts) <= 30_000);
  });

  it("do not hold up other conversations", async () => {
    const clock = virtualTime();
    const out = delivery(clock, 30_000);
    const starts = new Map<string, number[]>();
    await clock.drive(
      Promise.all(
        ["a:personal-1", "a:personal-2", "19:admins"].flatMap((conversation) =>
          Array.from({ length: 7 }, () =>
            out.send(conversation, "notice", async () =>
              starts.set(conversation, [...(starts.get(conversation) ?? []), clock.now()]),
            ),
          ),
        ),
      ),
    );
    for (const times of starts.values()) assert.deepEqual(times, [0, 0, 0, 0, 0, 0, 0]);
  });
});
