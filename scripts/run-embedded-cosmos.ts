import { startEmbeddedCosmos } from "../src/store/embedded-cosmos.js";

/** Runs the embedded in-memory Cosmos DB server as its own process; prints its endpoint once ready. */
const server = await startEmbeddedCosmos();
console.log(`COSMOS_READY ${server.endpoint}`);
const stop = () => server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
