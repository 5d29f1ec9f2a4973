import { existsSync, readFileSync } from "node:fs";
import { loadConfigOrExit } from "../src/config.js";
import { CosmosAuditLog } from "../src/store/cosmos-audit-log.js";
import { connectContainer } from "../src/store/cosmos-container.js";
import { LOCAL_ENDPOINTS_FILE } from "./local/endpoints.js";

/**
 * `npm run audit:verify`: walks every audit chain in the store and reports each edited, missing or
 * reordered event. Exits 0 when every chain is intact, 1 otherwise. Reads COSMOS_ENDPOINT, or the
 * embedded server of a running `npm start`.
 */
const config = loadConfigOrExit();
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
const { container, client } = await connectContainer({
  endpoint: endpoint!,
  key,
  database: config.cosmos.database,
  container: config.cosmos.container,
});
const { chains, events, problems } = await new CosmosAuditLog(container).verifyAll();
client.dispose();
for (const p of problems) {
  console.log(`${p.kind.toUpperCase()}\tchain ${p.chain}\tseq ${p.seq ?? "-"}\t${p.id ?? "-"}\t${p.detail}`);
}
console.log(
  `${chains} chains, ${events} events: ${problems.length === 0 ? "intact" : `${problems.length} problem(s)`}`,
);
process.exit(problems.length === 0 ? 0 : 1);
