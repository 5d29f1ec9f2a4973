import { randomUUID } from "node:crypto";
import type { Container } from "@azure/cosmos";
import { connectContainer } from "../../src/store/cosmos-container.js";
import { EMBEDDED_COSMOS_KEY, startEmbeddedCosmos } from "../../src/store/embedded-cosmos.js";

let shared: Promise<{ endpoint: string; close: () => Promise<void> }> | undefined;

/** One embedded Cosmos DB server for the whole test run (closed by the root hook). */
export const embeddedCosmos = () => (shared ??= startEmbeddedCosmos());

export const closeEmbeddedCosmos = async () => {
  if (shared) await (await shared).close();
  shared = undefined;
};

/** A fresh database (unique name) on the shared embedded server: tests never see each other's data. */
export const freshCosmos = async (): Promise<{
  endpoint: string;
  key: string;
  database: string;
  container: Container;
}> => {
  const { endpoint } = await embeddedCosmos();
  const database = `test-${randomUUID()}`;
  const { container } = await connectContainer({
    endpoint,
    key: EMBEDDED_COSMOS_KEY,
    database,
    container: "access-desk",
  });
  return { endpoint, key: EMBEDDED_COSMOS_KEY, database, container };
};
