import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freshCosmos } from "../helpers/cosmos.js";
import type { Container } from "@azure/cosmos";
import { countingStoreCalls } from "../../src/store/round-trips.js";

describe("store round trips counted per piece of work", () => {
  let store: Awaited<ReturnType<typeof freshCosmos>>;
  let container: Container;
  let other: Server;

  before(async () => {
    store = await freshCosmos();
    ({ container } = store);
    await container.items.create({ id: "a", personId: "p" });
    other = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
  });
  after(() => other.close());

  const elsewhere = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: (other.address() as AddressInfo).port, path: "/" }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });

  it("counts the Cosmos DB requests the work sends, and nothing else", async () => {
    const outside = container.item("a", "p").read(); // started before: not this work's
    const { value, calls } = await countingStoreCalls(async () => {
      await container.item("a", "p").read();
      await Promise.all([container.item("a", "p").read(), container.item("missing", "p").read()]);
      await container.items.upsert({ id: "b", personId: "p" });
      await elsewhere(); // another HTTP server (the Bot Connector, say)
      return "done";
    });
    await outside;
    assert.equal(value, "done");
    assert.equal(calls(), 4);
  });

  it("keeps counting work the piece left running, and counts two pieces apart", async () => {
    let late: Promise<unknown> = Promise.resolve();
    const first = await countingStoreCalls(async () => {
      await container.item("a", "p").read();
      late = new Promise((r) => setTimeout(r, 20)).then(() => container.item("a", "p").read());
    });
    const second = await countingStoreCalls(() => container.item("a", "p").read());
    assert.equal(first.calls(), 1, "the answer's count");
    await late;
    assert.equal(first.calls(), 2, "the work it started goes on counting");
    assert.equal(second.calls(), 1);
  });
});
