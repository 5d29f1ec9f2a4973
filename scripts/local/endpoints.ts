import { existsSync, readFileSync } from "node:fs";
import type { AppConfig } from "../../src/config.js";
import { connectContainer } from "../../src/store/cosmos-container.js";

/** Where a running `npm start` says its embedded Cosmos DB server listens (for `npm run seed`). */
export const LOCAL_ENDPOINTS_FILE = "devTools/local-endpoints.json";

/**
 * The store a command-line tool works on: COSMOS_ENDPOINT, or else the embedded server of a running
 * `npm start`. Exits 69 when there is neither.
 */
export const connectToStore = (config: AppConfig): ReturnType<typeof connectContainer> => {
  let endpoint = config.cosmos.endpoint;
  let key = config.cosmos.key;
  if (!endpoint) {
    if (!existsSync(LOCAL_ENDPOINTS_FILE)) {
      console.error("No COSMOS_ENDPOINT and no running `npm start` found: start it first, or set COSMOS_ENDPOINT.");
      process.exit(69);
    }
    ({ cosmosEndpoint: endpoint, cosmosKey: key } = JSON.parse(readFileSync(LOCAL_ENDPOINTS_FILE, "utf8")) as {
      cosmosEndpoint: string;
      cosmosKey: string;
    });
  }
  const fromFile = !config.cosmos.endpoint;
  return connectContainer({
    endpoint,
    key,
    database: config.cosmos.database,
    container: config.cosmos.container,
  }).catch((e: unknown) => {
    console.error(
      `Cannot reach the store at ${endpoint}: ${(e as Error).message}.` +
        (fromFile ? ` ${LOCAL_ENDPOINTS_FILE} names it: is \`npm start\` still running?` : ""),
    );
    process.exit(69);
  });
};
