import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { atomicBatches } from "./embedded-batch.js";
import { keepPartitions, scopeQueriesToPartitions } from "./embedded-partitions.js";
import { speedUpEmbeddedQueries } from "./embedded-query-fix.js";

/** The key the embedded server accepts (it checks none); never a real secret. */
export const EMBEDDED_COSMOS_KEY = "embedded-local-key";

/**
 * The server, set up to serve like Azure Cosmos DB does: connections kept open between requests (it
 * closes each one otherwise, so every SDK call opened a new one), and queries run in the request's
 * partition (see embedded-partitions.ts), and transactional batches all or nothing (embedded-batch.ts).
 * The bench's store uses the same set-up.
 */
export const createEmbeddedServer = (create: (options: { keepAlive: boolean }) => Server): Server => {
  // In this order: a batch's undo goes through the partitions' book-keeping.
  keepPartitions();
  atomicBatches();
  const server = create({ keepAlive: true });
  // The SDK keeps idle connections without a time limit; so does the server, so neither closes one in use.
  server.keepAliveTimeout = 0;
  scopeQueriesToPartitions(server);
  return server;
};

/**
 * Starts the in-memory Cosmos DB wire-protocol server on loopback, on a free port (or the one given).
 * Plain HTTP on purpose: its bundled TLS certificate expired long ago.
 */
export const startEmbeddedCosmos = async (port = 0): Promise<{ endpoint: string; close: () => Promise<void> }> => {
  // Loaded on demand: the embedded server is a development dependency, absent from production installs.
  const { createHttpServer } = await import("@vercel/cosmosdb-server");
  speedUpEmbeddedQueries();
  const server = createEmbeddedServer(createHttpServer);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
};
