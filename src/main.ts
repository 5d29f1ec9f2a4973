import { loadConfigOrExit } from "./config.js";
import { createLogger } from "./logger.js";
import { startTelemetry } from "./telemetry.js";

/** Process entry: read configuration, start telemetry, then the app; stop cleanly on SIGINT/SIGTERM. */
const main = async () => {
  const config = loadConfigOrExit();
  const telemetry = await startTelemetry(config);
  // Loaded after telemetry has started, so the HTTP server and SDK clients are instrumented.
  const { startApp } = await import("./index.js");
  const logger = createLogger(config, undefined, telemetry.sink);
  if (config.telemetry.connectionString) logger.info("telemetry: sending traces and logs to Application Insights");
  const app = await startApp(config, { logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A last resort: shutdown is bounded inside close(); this only catches a hang in it.
    setTimeout(() => process.exit(1), 30_000).unref();
    await app.close();
    await telemetry.shutdown().catch(() => {});
    console.error(`Access Desk stopped (${signal}).`);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
};

main().catch((e) => {
  console.error("Access Desk failed to start:", e);
  process.exit(1);
});
