import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createEmbeddedServer } from "../src/store/embedded-cosmos.js";
import { speedUpEmbeddedQueries } from "../src/store/embedded-query-fix.js";
import { withQueryFields } from "../src/store/cosmos-people-store.js";
import { seedPerson, seedTenants } from "../scripts/seed-people.js";
import { concerns } from "./calls.js";

/**
 * The embedded Cosmos DB server in a process of its own, counting every HTTP request the Cosmos SDK
 * sends it (the SDK's HTTP layer, seen from the wire): method, resource, whether it is a query, and
 * whether a query is bound to one partition. The bench reads and resets the counts over IPC.
 * Requests whose user agent carries `bench-observer` (the bench's own reads) are not counted.
 */
export type StoreCall = {
  method: string;
  /** Resource kind: docs, colls, dbs, pkranges, root... */
  resource: string;
  /** The path, with ids, e.g. /dbs/x/colls/y/docs/z. */
  path: string;
  query: boolean;
  queryPlan: boolean;
  /** A query sent without a partition key (it fans out across partitions). */
  crossPartition: boolean;
  /** The partition key header, when one was sent. */
  partitionKey: string | null;
  /** A query's SQL text, as the server ran it. */
  text?: string;
  /** An upsert (a create that replaces a document with the same id). */
  upsert?: boolean;
  /** The id of the document a create made. */
  created?: string;
  /** A transactional batch's operations, e.g. "read request-id". */
  batch?: string[];
  /** When the request arrived (ms since the epoch, sub-millisecond: comparable across processes). */
  at: number;
};

const resourceOf = (path: string): string => {
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  if (parts.length === 0) return "root";
  // /dbs/a/colls/b/docs/c → the last kind named (docs); /dbs/a/colls/b/docs → docs (a feed or query).
  return parts.length % 2 === 0 ? parts[parts.length - 2]! : parts[parts.length - 1]!;
};

const callOf = (req: IncomingMessage): StoreCall => {
  const h = req.headers;
  const path = decodeURIComponent((req.url ?? "").split("?")[0]!);
  const query = String(h["x-ms-documentdb-isquery"] ?? "") === "true" || h["content-type"] === "application/query+json";
  const queryPlan =
    String(h["x-ms-cosmos-is-query-plan-request"] ?? "") === "True" ||
    String(h["x-ms-cosmos-is-query-plan-request"] ?? "").toLowerCase() === "true";
  const partitionKey = typeof h["x-ms-documentdb-partitionkey"] === "string" ? h["x-ms-documentdb-partitionkey"] : null;
  return {
    method: req.method ?? "",
    resource: resourceOf(path),
    path,
    query: query && !queryPlan,
    queryPlan,
    // The SDK marks every query as allowed to cross partitions; one sent with a partition key stays in it.
    crossPartition: (query || queryPlan) && partitionKey === null,
    partitionKey,
    at: performance.timeOrigin + performance.now(),
    ...(String(h["x-ms-cosmos-is-batch-request"] ?? "").toLowerCase() === "true" ? { batch: [] } : {}),
    ...(String(h["x-ms-documentdb-is-upsert"] ?? "").toLowerCase() === "true" ? { upsert: true } : {}),
  };
};

/** The server's in-memory account (its databases, containers and documents), kept when the server creates it. */
type Documents = { create(doc: object): unknown };
type Account = { database(id: string): { read(): unknown; collection(id: string): { documents: Documents } } };
let account: Account | undefined;
const serverRequire = createRequire(createRequire(import.meta.url).resolve("@vercel/cosmosdb-server"));
const accountModule = serverRequire("./account") as { default: new (host: string, port: number) => Account };
const OriginalAccount = accountModule.default;
accountModule.default = class extends (OriginalAccount as new (host: string, port: number) => object) {
  constructor(host: string, port: number) {
    super(host, port);
    account = this as unknown as Account;
  }
} as unknown as typeof accountModule.default;

/**
 * Writes `npm run seed`'s people (and its tenants), and the given documents, straight into the store:
 * the same documents the seed script sends through the SDK, without 100,000 HTTP round trips that
 * would make the seed, not the app, the longest part of the run.
 */
const seed = (m: { database: string; container: string; people: number; directoryId: string; docs: object[] }) => {
  const documents = account!.database(m.database).collection(m.container).documents;
  const now = new Date();
  const tenants = seedTenants(now);
  for (const t of tenants) documents.create({ ...t, personId: "_tenants", type: "tenant" });
  for (let i = 0; i < m.people; i++) documents.create(withQueryFields(seedPerson(i, m.directoryId, tenants, now)));
  for (const d of m.docs) documents.create(d);
};

/**
 * The store's own time per query text, written to bench/tmp/store.log when the run ends: which queries
 * the store spends its single thread on (counting the bench's own reads too).
 */
const queryTime = new Map<string, { count: number; ms: number }>();
process.on("exit", () => {
  console.log("store time by query (ms, count, text):");
  for (const [text, t] of [...queryTime].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${t.ms.toFixed(0)}\t${t.count}\t${text}`);
  }
});
/** Each request's call, so that the query engine can note the SQL text on it (the body is read later). */
const current = new AsyncLocalStorage<StoreCall | null>();
const items = serverRequire("./account/items") as {
  default: { prototype: { query(params: { query: string }, ...rest: unknown[]): unknown } };
};
const query = items.default.prototype.query;
items.default.prototype.query = function (this: unknown, params, ...rest) {
  const call = current.getStore();
  if (call) call.text = params.query;
  const started = performance.now();
  try {
    return query.call(this, params, ...rest);
  } finally {
    const text = params.query.replace(/\s+/g, " ").slice(0, 200);
    const t = queryTime.get(text) ?? { count: 0, ms: 0 };
    t.count++;
    t.ms += performance.now() - started;
    queryTime.set(text, t);
  }
};

// A batch's operations are noted on its call: the server runs each through one of these.
type Operation = { operationType?: string; id?: string; resourceBody?: { id?: string } };
const operations = serverRequire("./handler/_document-operations") as Record<
  string,
  (c: unknown, input: Operation) => unknown
>;
for (const [name, run] of Object.entries(operations)) {
  if (typeof run !== "function" || !name.endsWith("Operation")) continue;
  operations[name] = (collection, input) => {
    const call = current.getStore();
    if (call && !call.batch && (name === "createOperation" || name === "upsertOperation"))
      call.created = input?.resourceBody?.id ?? "";
    if (call?.batch) call.batch.push(`${name.replace("Operation", "")} ${input?.id ?? input?.resourceBody?.id ?? ""}`);
    return run(collection, input);
  };
}

const { createHttpServer } = await import("@vercel/cosmosdb-server");
speedUpEmbeddedQueries();
const server = createEmbeddedServer(createHttpServer);
let calls: StoreCall[] = [];
server.prependListener("request", (req: IncomingMessage) => {
  if (String(req.headers["user-agent"] ?? "").includes("bench-observer")) return current.enterWith(null);
  const call = callOf(req);
  calls.push(call);
  // The server's own handler runs next, in this context: the query it runs is noted on this call.
  current.enterWith(call);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "take") {
    process.send!({ calls });
    calls = [];
  } else if (m.cmd === "peek") {
    const only = (m as { only?: string[] }).only;
    process.send!({ count: only ? calls.filter((c) => concerns(c, only)).length : calls.length });
  } else if (m.cmd === "seed") {
    const started = performance.now();
    try {
      seed(m as unknown as Parameters<typeof seed>[0]);
      process.send!({ ms: performance.now() - started });
    } catch (e) {
      process.send!({ error: String(e) });
    }
  }
});
process.send!({ endpoint });
process.on("disconnect", () => process.exit(0));
// A normal exit on SIGTERM, so that a CPU profile (BENCH_CPU_PROFILE) is written.
process.on("SIGTERM", () => process.exit(0));
