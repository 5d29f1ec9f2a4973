import assert from "node:assert/strict";
import { freshCosmos } from "../helpers/cosmos.js";
import type { Container, OperationInput } from "@azure/cosmos";

/**
 * The embedded store runs a transactional batch all or nothing, as Azure Cosmos DB does (embedded-batch.ts).
 * Replace operations name their partition key: the embedded server reads it from each operation.
 */
describe("embedded Cosmos DB: transactional batches are all or nothing", () => {
  let store: Awaited<ReturnType<typeof freshCosmos>>;
  let container: Container;
  const read = async (id: string) => (await container.item(id, "p").read()).resource;
  const inPartition = async () =>
    (await container.items.query("SELECT c.id, c.n FROM c ORDER BY c.id", { partitionKey: "p" }).fetchAll()).resources;
  const statuses = async (ops: OperationInput[]) =>
    ((await container.items.batch(ops, "p")).result ?? []).map((r) => r.statusCode);

  before(async () => {
    store = await freshCosmos();
    ({ container } = store);
    await container.items.create({ id: "a", personId: "p", n: 1 });
    await container.items.create({ id: "b", personId: "p", n: 1 });
  });

  it("applies every operation when all succeed", async () => {
    const a = await read("a");
    assert.deepEqual(
      await statuses([
        {
          operationType: "Replace",
          id: "a",
          resourceBody: { id: "a", personId: "p", n: 2 },
          ifMatch: a._etag,
          partitionKey: "p",
        },
        { operationType: "Create", resourceBody: { id: "c", personId: "p", n: 1 } },
      ]),
      [200, 201],
    );
    assert.deepEqual(await inPartition(), [
      { id: "a", n: 2 },
      { id: "b", n: 1 },
      { id: "c", n: 1 },
    ]);
  });

  it("changes nothing when a later operation fails, and says which one", async () => {
    const before = await inPartition();
    const a = await read("a");
    assert.deepEqual(
      await statuses([
        {
          operationType: "Replace",
          id: "a",
          resourceBody: { id: "a", personId: "p", n: 3 },
          ifMatch: a._etag,
          partitionKey: "p",
        },
        { operationType: "Create", resourceBody: { id: "d", personId: "p", n: 1 } },
        { operationType: "Create", resourceBody: { id: "b", personId: "p", n: 9 } },
      ]),
      [424, 424, 409],
    );
    assert.deepEqual(await inPartition(), before, "a keeps n 2, d is not created, b is untouched");
    assert.equal((await read("a"))._etag, a._etag, "a keeps its ETag: a conditional write on it still succeeds");
  });

  it("refuses a stale ETag without applying the operations before it", async () => {
    const before = await inPartition();
    assert.deepEqual(
      await statuses([
        { operationType: "Create", resourceBody: { id: "e", personId: "p", n: 1 } },
        {
          operationType: "Replace",
          id: "b",
          resourceBody: { id: "b", personId: "p", n: 5 },
          ifMatch: '"stale"',
          partitionKey: "p",
        },
      ]),
      [424, 412],
    );
    assert.deepEqual(await inPartition(), before);
    await assert.rejects(
      container
        .item("e", "p")
        .read()
        .then((r) => r.resource ?? Promise.reject(new Error("gone"))),
    );
  });
});
