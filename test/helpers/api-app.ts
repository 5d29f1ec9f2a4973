import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Container } from "@azure/cosmos";
import { loadConfig } from "../../src/config.js";
import { startApp, type StartedApp } from "../../src/index.js";
import { createLogger } from "../../src/logger.js";
import type { Clock } from "../../src/services/ports.js";
import { connectContainer } from "../../src/store/cosmos-container.js";
import { createCosmosStores, type CosmosStores } from "../../src/store/cosmos-store.js";
import { embeddedCosmos } from "./cosmos.js";
import { RESULTS_DIR } from "./local-stack.js";
import type { TestTokenIssuer } from "./token-issuer.js";

export const DIRECTORY = "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b";
export const FOREIGN_DIRECTORY = "0b0e0000-0000-4000-8000-000000000000";
export const AUDIENCE = "5f0c8a6e-2f3b-4c7d-9a1e-3b2c1d0e9f8a";

/** The real app on a free port with a fresh database, its tab tokens checked against a test issuer. */
export const startApiApp = async (
  issuer: TestTokenIssuer,
  env: Record<string, string> = {},
  options: {
    database?: string;
    reconcileEveryMs?: number;
    directorySyncTickMs?: number;
    clock?: Clock;
    logFile?: string;
  } = {},
): Promise<{ app: StartedApp; stores: CosmosStores; container: Container; database: string }> => {
  const { endpoint } = await embeddedCosmos();
  const database = options.database ?? `api-${randomUUID()}`;
  const config = loadConfig({
    files: false,
    env: {
      APP_ENV: "local",
      PORT: "0",
      COSMOS_ENDPOINT: endpoint,
      COSMOS_KEY: "embedded-local-key",
      COSMOS_DATABASE: database,
      ALLOWED_DIRECTORY_IDS: DIRECTORY,
      INITIAL_ADMINS: "22222222-2222-4222-8222-222222222222",
      MSP_TENANT_NAME: "Contoso IT",
      TAB_CLIENT_ID: AUDIENCE,
      TAB_ISSUER: issuer.issuerTemplate,
      TAB_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
      ...env,
    },
  });
  const app = await startApp(config, {
    logger: createLogger(config, join(RESULTS_DIR, options.logFile ?? "api.log")),
    ...(options.reconcileEveryMs ? { reconcileEveryMs: options.reconcileEveryMs } : {}),
    ...(options.directorySyncTickMs ? { directorySyncTickMs: options.directorySyncTickMs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { container } = await connectContainer({
    endpoint,
    key: "embedded-local-key",
    database,
    container: "access-desk",
  });
  return { app, stores: createCosmosStores(container), container, database };
};

/**
 * Every stored document's id and ETag: equal snapshots mean nothing was written. The scheduled jobs'
 * lease records (partition `_leases`) are left out: the reconciler and the governance run take them
 * every 30 and 60 s whatever a test does, and they hold no data about anyone.
 */
export const snapshot = async (container: Container): Promise<string[]> => {
  const { resources } = await container.items
    .query<{ id: string; personId: string; _etag: string }>(
      "SELECT c.id, c.personId, c._etag FROM c WHERE c.personId != '_leases'",
    )
    .fetchAll();
  return resources.map((d) => `${d.personId}/${d.id}@${d._etag}`).sort();
};
