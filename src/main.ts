import { loadConfigOrExit } from "./config.js";
import { startApp } from "./index.js";

/** Process entry: read configuration, start, stop cleanly on SIGINT/SIGTERM. */
const main = async () => {
  const config = loadConfigOrExit();
  const app = await startApp(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A last resort: shutdown is bounded inside close(); this only catches a hang in it.
    setTimeout(() => process.exit(1), 30_000).unref();
    await app.close();
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
