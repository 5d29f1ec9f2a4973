import type { AddressInfo } from "node:net";
import { speedUpEmbeddedQueries } from "./embedded-query-fix.js";

/** The key the embedded server accepts (it checks none); never a real secret. */
export const EMBEDDED_COSMOS_KEY = "embedded-local-key";

/**
 * Starts the in-memory Cosmos DB wire-protocol server on loopback, on a free port (or the one given).
 * Plain HTTP on purpose: its bundled TLS certificate expired long ago.
 */
export const startEmbeddedCosmos = async (port = 0): Promise<{ endpoint: string; close: () => Promise<void> }> => {
  // Loaded on demand: the embedded server is a development dependency, absent from production installs.
  const { createHttpServer } = await import("@vercel/cosmosdb-server");
  speedUpEmbeddedQueries();
  const server = createHttpServer();
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
