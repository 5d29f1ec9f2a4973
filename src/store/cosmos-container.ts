import { CosmosClient, type Container, type IndexingPolicy } from "@azure/cosmos";
import { DefaultAzureCredential } from "@azure/identity";

export type CosmosSettings = {
  endpoint: string;
  /** Account key; null means Entra ID (managed identity, Azure CLI, ...) through DefaultAzureCredential. */
  key: string | null;
  database: string;
  container: string;
};

/** The partition key: a person's documents (person, requests, audit events, chat address) live together. */
export const PARTITION_KEY_PATH = "/personId";

/** Indexes every path (queries filter on type, status, role, tenant) except large free-text and audit payloads. */
export const INDEXING_POLICY: IndexingPolicy = {
  indexingMode: "consistent",
  automatic: true,
  includedPaths: [{ path: "/*" }],
  excludedPaths: [
    { path: "/before/*" },
    { path: "/after/*" },
    { path: "/justification/?" },
    { path: "/address/*" },
    { path: '/"_etag"/?' },
  ],
  // Filters on type (and status) with the sort field after them: what the People page and the pending list ask.
  compositeIndexes: [
    [
      { path: "/type", order: "ascending" },
      { path: "/status", order: "ascending" },
      { path: "/createdAt", order: "ascending" },
    ],
    ...["/sortName", "/roleKey", "/expiresKey", "/grantedKey"].flatMap((path) =>
      (["ascending", "descending"] as const).map((order) => [
        { path: "/type", order: "ascending" as const },
        { path, order },
      ]),
    ),
  ],
};

const isLoopback = (endpoint: string): boolean => {
  const host = new URL(endpoint).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
};

/**
 * Connects to Cosmos DB. With a key (local embedded server, or a key-based account) the database and
 * container are created when missing; keyless (Entra) access cannot create them, so they must exist
 * (infra/ provisions them) and are only checked.
 */
export const connectContainer = async (
  settings: CosmosSettings,
): Promise<{ client: CosmosClient; container: Container }> => {
  const loopback = isLoopback(settings.endpoint);
  const client = new CosmosClient({
    endpoint: settings.endpoint,
    ...(settings.key ? { key: settings.key } : { aadCredentials: new DefaultAzureCredential() }),
    connectionPolicy: {
      // The embedded server advertises an https location it does not serve; stay on the given endpoint.
      enableEndpointDiscovery: !loopback,
      requestTimeout: 10_000,
      retryOptions: { maxRetryAttemptCount: 5, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 4 },
    },
  });
  if (settings.key) {
    const { database } = await client.databases.createIfNotExists({ id: settings.database });
    const { container } = await database.containers.createIfNotExists({
      id: settings.container,
      partitionKey: { paths: [PARTITION_KEY_PATH] },
      indexingPolicy: INDEXING_POLICY,
    });
    return { client, container };
  }
  const container = client.database(settings.database).container(settings.container);
  await container.read();
  return { client, container };
};
