import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, Server } from "node:http";
import { createRequire } from "node:module";

/**
 * The embedded Cosmos DB server runs every query over every document of the container, even a query
 * the SDK sends with a partition key, and even a conditional patch's condition (it is checked as a
 * query). With 100,000 people in the store, one lease claim or one tenant list then costs 30–500 ms of
 * the server's single thread, and a few of them a second saturate it. Azure Cosmos DB serves such a
 * request from the one partition. This keeps each container's documents by partition as well, and runs
 * the queries of a request that names a partition key (the x-ms-documentdb-partitionkey header) over
 * that partition's documents only: the same results, in time of the partition's size.
 *
 * Conditional patches' conditions are made reusable (see `withNumbersAsParameters`).
 *
 * The server also answers the SDK's query-plan request (sent beside every query) by running the query
 * over the whole container; the SDK uses a plan only when the query itself is refused for want of one,
 * which this server never does. Plan requests are answered from no documents, in the same shape.
 * Local mode only.
 */

type Doc = { _rid: string } & Record<string, unknown>;
type Item = { read(): Doc | null | undefined };
type Items = {
  _data: Map<string, Item>;
  _getPartition(data: object): unknown;
  _item(keyPath: string, value: string, partition: unknown): Item;
  /** Each partition's document rids (JSON of the partition key value → rids). */
  _partitions?: Map<string, Set<string>>;
  /** How many documents `_partitions` holds; a container filled before the patch has fewer than `_data`. */
  _partitioned?: number;
};
type ItemsPrototype = {
  _set(this: Items, data: Doc): Doc;
  delete(this: Items, idOrRid: string, partition: unknown): void;
  query(this: Items, params: unknown, options: unknown): unknown;
};

/**
 * What the current request's queries may read: the partition key value it names (as JSON), or nothing
 * for a query-plan request; undefined (no store) for a cross-partition request.
 */
const requestScope = new AsyncLocalStorage<{ partition: string } | "nothing" | undefined>();

const keyOf = (value: unknown) => JSON.stringify(value ?? null);

/** `["abc"]` → `"abc"` (as JSON); nothing for a missing header or `[{}]` (the SDK's "no partition key"). */
export const partitionOfHeader = (header: string | string[] | undefined): string | undefined => {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    const value = Array.isArray(parsed) ? (parsed.length === 1 ? parsed[0] : undefined) : parsed;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? keyOf(value)
      : undefined;
  } catch {
    return undefined;
  }
};

type Parameter = { name: string; value: unknown };

/** How the server phrases a conditional patch's condition as a query. */
const PATCH_CONDITION = /^SELECT \* FROM c WHERE c\.id = @id AND \(/;

/**
 * A conditional patch's condition carries its numbers as literals (the SDK has no parameters for it;
 * a lease claim compares with the time), so every condition is a new query text, which the server
 * parses and compiles afresh: 25–30 ms of its thread each. Comparisons with a number literal become
 * parameters, so that the compiled query is cached and reused. Other queries are left as they are.
 */
export const withNumbersAsParameters = <T extends { query: string; parameters?: Parameter[] }>(params: T): T => {
  if (typeof params?.query !== "string" || !PATCH_CONDITION.test(params.query)) return params;
  const parameters = [...(params.parameters ?? [])];
  const query = params.query.replace(
    /(<=|>=|<>|!=|=|<|>)\s*(-?\d+(?:\.\d+)?)(?![\w.])/g,
    (_all, op: string, n: string) => {
      const name = `@literal${parameters.length}`;
      parameters.push({ name, value: Number(n) });
      return `${op} ${name}`;
    },
  );
  return { ...params, query, parameters };
};

let patched = false;

/** Teaches the server's document collections to keep their partitions (once per process). */
export const keepPartitions = (): void => {
  if (patched) return;
  const serverRequire = createRequire(createRequire(import.meta.url).resolve("@vercel/cosmosdb-server"));
  const proto = (serverRequire("./account/items") as { default: { prototype: ItemsPrototype } }).default.prototype;
  const { _set: set, delete: remove, query } = proto;

  proto._set = function (data) {
    const stored = set.call(this, data);
    const key = keyOf(this._getPartition(data));
    this._partitions ??= new Map();
    const rids = this._partitions.get(key);
    if (rids) rids.add(data._rid);
    else this._partitions.set(key, new Set([data._rid]));
    this._partitioned = (this._partitioned ?? 0) + 1;
    return stored;
  };

  proto.delete = function (idOrRid, partition) {
    const data = this._item("/id", idOrRid, partition).read();
    remove.call(this, idOrRid, partition);
    if (!data || !this._partitions) return;
    const key = keyOf(this._getPartition(data));
    if (this._partitions.get(key)?.delete(data._rid)) {
      this._partitioned = (this._partitioned ?? 1) - 1;
      if (this._partitions.get(key)!.size === 0) this._partitions.delete(key);
    }
  };

  proto.query = function (given, options) {
    const params = withNumbersAsParameters(given as { query: string; parameters?: Parameter[] });
    const scope = requestScope.getStore();
    if (scope === undefined) return query.call(this, params, options);
    if (scope !== "nothing" && (!this._partitions || this._partitioned !== this._data.size)) {
      return query.call(this, params, options);
    }
    const all = this._data;
    const rids = scope === "nothing" ? [] : (this._partitions!.get(scope.partition) ?? []);
    this._data = new Map([...rids].map((rid) => [rid, all.get(rid)!]));
    try {
      return query.call(this, params, options);
    } finally {
      this._data = all;
    }
  };
  patched = true;
};

/**
 * Scopes the queries of each request to the partition it names. Call before the server takes requests
 * and before documents are written (a container filled earlier keeps being scanned whole).
 */
export const scopeQueriesToPartitions = (server: Server): void => {
  keepPartitions();
  server.prependListener("request", (req: IncomingMessage) => {
    if (String(req.headers["x-ms-cosmos-is-query-plan-request"] ?? "").toLowerCase() === "true") {
      return requestScope.enterWith("nothing");
    }
    const partition = partitionOfHeader(req.headers["x-ms-documentdb-partitionkey"]);
    requestScope.enterWith(partition === undefined ? undefined : { partition });
  });
};
