import assert from "node:assert/strict";
import { freshCosmos } from "../helpers/cosmos.js";
import type { Container } from "@azure/cosmos";
import { partitionOfHeader, withNumbersAsParameters } from "../../src/store/embedded-partitions.js";

/**
 * The embedded store runs a request's queries over the partition it names (see embedded-partitions.ts).
 * Checked through the real SDK: the answers must be what Azure Cosmos DB gives, including the cases the
 * unscoped server got wrong (a conditional patch whose condition holds for a same-id document elsewhere).
 */
describe("embedded Cosmos DB: queries scoped to the request's partition", () => {
  let store: Awaited<ReturnType<typeof freshCosmos>>;
  let container: Container;
  const ids = (items: Array<{ id: string }>) => items.map((i) => i.id).sort();

  before(async () => {
    store = await freshCosmos();
    ({ container } = store);
    for (let i = 0; i < 30; i++) {
      await container.items.create({ id: `d${i}`, personId: `p${i % 3}`, type: "thing", n: i });
    }
    // The same id in two partitions: allowed in Cosmos DB, ids are unique per partition.
    await container.items.create({ id: "shared", personId: "p0", type: "thing", flag: false });
    await container.items.create({ id: "shared", personId: "p1", type: "thing", flag: true });
  });

  it("answers a partition-bound query with that partition's documents, as a cross-partition filter does", async () => {
    const sql = "SELECT * FROM c WHERE c.type = 'thing' ORDER BY c.n";
    const bound = await container.items.query(sql, { partitionKey: "p1" }).fetchAll();
    const filtered = await container.items
      .query({
        query: "SELECT * FROM c WHERE c.type = 'thing' AND c.personId = @p ORDER BY c.n",
        parameters: [{ name: "@p", value: "p1" }],
      })
      .fetchAll();
    assert.equal(bound.resources.length, 10, 'p1 holds d1, d4 … d28 ("shared" has no n to order by)');
    assert.deepEqual(ids(bound.resources), ids(filtered.resources));
    assert.ok(bound.resources.every((d) => d.personId === "p1"));
    const none = await container.items.query(sql, { partitionKey: "nobody" }).fetchAll();
    assert.deepEqual(none.resources, []);
  });

  it("follows creates, replaces and deletes", async () => {
    const count = async () =>
      (await container.items.query("SELECT VALUE COUNT(1) FROM c", { partitionKey: "p2" }).fetchAll()).resources[0];
    assert.equal(await count(), 10);
    await container.items.create({ id: "new", personId: "p2", type: "thing", n: 100 });
    assert.equal(await count(), 11);
    const { resource } = await container.item("d2", "p2").read();
    await container.item("d2", "p2").replace({ ...resource, n: 200 });
    const replaced = await container.items
      .query({ query: "SELECT * FROM c WHERE c.n = 200" }, { partitionKey: "p2" })
      .fetchAll();
    assert.deepEqual(ids(replaced.resources), ["d2"]);
    await container.item("new", "p2").delete();
    await container.item("d5", "p2").delete();
    assert.equal(await count(), 9);
  });

  it("checks a conditional patch's condition on the partition's document only", async () => {
    const patch = (pk: string) =>
      container
        .item("shared", pk)
        .patch({ condition: "from c where c.flag = true", operations: [{ op: "set", path: "/touched", value: pk }] });
    // The condition holds for p1's "shared" only: p0's patch must be refused, although p1 has a match.
    await assert.rejects(patch("p0"), (e: { code?: number }) => e.code === 412);
    assert.equal((await container.item("shared", "p0").read()).resource.touched, undefined);
    const ok = await patch("p1");
    assert.equal(ok.statusCode, 200);
    assert.equal((await container.item("shared", "p1").read()).resource.touched, "p1");
  });

  it("checks a condition that compares with numbers, as a lease claim does, each time afresh", async () => {
    const claim = (before: number) =>
      container.item("d7", "p1").patch({
        condition: `from c where IS_NULL(c.lease) or (c.lease > 0 and c.lease < ${before})`,
        operations: [{ op: "set", path: "/lease", value: 1000 }],
      });
    await container.item("d7", "p1").patch([{ op: "set", path: "/lease", value: null }]);
    assert.equal((await claim(1)).statusCode, 200, "no lease yet");
    await assert.rejects(
      claim(999),
      (e: { code?: number }) => e.code === 412,
      "the lease (1000) is not older than 999",
    );
    await assert.rejects(claim(1000), (e: { code?: number }) => e.code === 412);
    assert.equal((await claim(1001)).statusCode, 200, "the lease is older than 1001");
    assert.deepEqual(
      withNumbersAsParameters({
        query: "SELECT * FROM c WHERE c.id = @id AND (c.a < 17 and c.b >= -2.5 and c.c = @x and c.d[0] = 1)",
        parameters: [{ name: "@id", value: "d" }],
      }),
      {
        query:
          "SELECT * FROM c WHERE c.id = @id AND (c.a < @literal1 and c.b >= @literal2 and c.c = @x and c.d[0] = @literal3)",
        parameters: [
          { name: "@id", value: "d" },
          { name: "@literal1", value: 17 },
          { name: "@literal2", value: -2.5 },
          { name: "@literal3", value: 1 },
        ],
      },
    );
    const other = { query: "SELECT TOP 5 * FROM c WHERE c.n > 3" };
    assert.equal(withNumbersAsParameters(other), other, "only a patch condition is rewritten");
  });

  it("answers the SDK's query-plan request without running the query over the container", async () => {
    const post = async (headers: Record<string, string>) => {
      const res = await fetch(`${store.endpoint}/dbs/${store.database}/colls/access-desk/docs`, {
        method: "POST",
        headers: {
          "content-type": "application/query+json",
          "x-ms-documentdb-query-enablecrosspartition": "True",
          ...headers,
        },
        body: JSON.stringify({ query: "SELECT * FROM c WHERE c.type = 'thing'", parameters: [] }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { Documents: unknown[] }).Documents.length;
    };
    assert.equal(await post({}), 31, 'the query itself still reads every partition (d0–d29 but d5, and both "shared")');
    assert.equal(await post({ "x-ms-cosmos-is-query-plan-request": "True" }), 0);
  });

  it("reads the partition from the SDK's header, and none from a cross-partition request", () => {
    assert.equal(partitionOfHeader('["p1"]'), '"p1"');
    assert.equal(partitionOfHeader(['["p1"]']), '"p1"');
    assert.equal(partitionOfHeader("[{}]"), undefined);
    assert.equal(partitionOfHeader(undefined), undefined);
    assert.equal(partitionOfHeader("not json"), undefined);
    assert.equal(partitionOfHeader('["a","b"]'), undefined);
  });
});
