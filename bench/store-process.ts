import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { speedUpEmbeddedQueries } from "../src/store/embedded-query-fix.js";

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
  /** A query sent without a partition key, or allowed to fan out across partitions. */
  crossPartition: boolean;
  /** The partition key header, when one was sent. */
  partitionKey: string | null;
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
  const enableCross = String(h["x-ms-documentdb-query-enablecrosspartition"] ?? "").toLowerCase() === "true";
  return {
    method: req.method ?? "",
    resource: resourceOf(path),
    path,
    query: query && !queryPlan,
    queryPlan,
    crossPartition: (query || queryPlan) && (enableCross || partitionKey === null),
    partitionKey,
  };
};

const { createHttpServer } = await import("@vercel/cosmosdb-server");
speedUpEmbeddedQueries();
const server = createHttpServer();
let calls: StoreCall[] = [];
server.prependListener("request", (req: IncomingMessage) => {
  if (String(req.headers["user-agent"] ?? "").includes("bench-observer")) return;
  calls.push(callOf(req));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "take") {
    process.send!({ calls });
    calls = [];
  } else if (m.cmd === "peek") {
    process.send!({ count: calls.length });
  }
});
process.send!({ endpoint });
process.on("disconnect", () => process.exit(0));
