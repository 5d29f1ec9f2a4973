import { loadConfigOrExit } from "../src/config.js";
import { CosmosAuditLog } from "../src/store/cosmos-audit-log.js";
import { connectToStore } from "./local/endpoints.js";

/**
 * `npm run audit:verify`: walks every audit chain in the store and reports each edited, missing or
 * reordered event. Exits 0 when every chain is intact, 1 otherwise. Reads COSMOS_ENDPOINT, or the
 * embedded server of a running `npm start`.
 */
const config = loadConfigOrExit();
const { container, client } = await connectToStore(config);
const { chains, events, problems } = await new CosmosAuditLog(container).verifyAll();
client.dispose();
for (const p of problems) {
  console.log(`${p.kind.toUpperCase()}\tchain ${p.chain}\tseq ${p.seq ?? "-"}\t${p.id ?? "-"}\t${p.detail}`);
}
console.log(
  `${chains} chains, ${events} events: ${problems.length === 0 ? "intact" : `${problems.length} problem(s)`}`,
);
process.exit(problems.length === 0 ? 0 : 1);
