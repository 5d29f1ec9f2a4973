import assert from "node:assert/strict";
import { BackgroundTasks } from "./background.js";
import type { Logger } from "./ports.js";

const warnings: object[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (obj) => void warnings.push(obj),
  error: () => undefined,
  child: () => logger,
};
const tick = () => new Promise((r) => setImmediate(r));

describe("background work", () => {
  it("starts work begun while an answer is prepared only once that answer is sent", async () => {
    const tasks = new BackgroundTasks(logger);
    const order: string[] = [];
    const prepared = await tasks.whileAnswering(async () => {
      tasks.run("card", async () => void order.push("card posted"));
      await tick();
      order.push("answer ready");
      return 42;
    });
    await tick();
    assert.deepEqual(order, ["answer ready"], "the card waits for the answer");
    assert.ok("value" in prepared && prepared.value === 42);
    order.push("answer sent");
    prepared.release();
    await tasks.idle();
    assert.deepEqual(order, ["answer ready", "answer sent", "card posted"]);
  });

  it("runs work at once outside an answer, and work that held work starts", async () => {
    const tasks = new BackgroundTasks(logger);
    const done: string[] = [];
    tasks.run("outside", async () => void done.push("outside"));
    await tasks.idle();
    assert.deepEqual(done, ["outside"]);
    const prepared = await tasks.whileAnswering(async () => {
      tasks.run("first", async () => {
        done.push("first");
        tasks.run("second", async () => void done.push("second"));
      });
    });
    prepared.release();
    await tasks.idle();
    assert.deepEqual(done, ["outside", "first", "second"]);
  });

  it("returns a failed preparation with its release, and held work still runs after it", async () => {
    const tasks = new BackgroundTasks(logger);
    let ran = false;
    const prepared = await tasks.whileAnswering(async () => {
      tasks.run("follow-up", async () => void (ran = true));
      throw new Error("turn failed");
    });
    assert.ok("error" in prepared && (prepared.error as Error).message === "turn failed");
    await tick();
    assert.equal(ran, false);
    prepared.release();
    await tasks.idle();
    assert.equal(ran, true);
  });

  it("logs a failing task and goes on", async () => {
    const tasks = new BackgroundTasks(logger);
    warnings.length = 0;
    tasks.run("broken", async () => {
      throw new Error("store down");
    });
    await tasks.idle();
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0] as { task: string }).task, "broken");
  });
});
