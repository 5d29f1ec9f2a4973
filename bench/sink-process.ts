import { ConnectorSink } from "../test/helpers/connector-sink.js";
import { memberFor } from "./lib.js";

/**
 * The Bot Connector stand-in (test/helpers/connector-sink.ts) in a process of its own, so that its
 * work does not share an event loop with the load generator. Every member look-up is answered, as
 * Teams would for anyone in the tenant. It keeps counts only, not what was sent.
 */
const members = new Proxy({} as Record<string, { name: string; userPrincipalName: string; aadObjectId: string }>, {
  get: (_target, key) => (typeof key === "string" ? { ...memberFor(key), aadObjectId: key } : undefined),
});
const sink = await ConnectorSink.start(members);
let posts = 0;
let updates = 0;
setInterval(() => {
  for (const s of sink.sent) {
    if (s.method === "POST") posts++;
    else if (s.method === "PUT") updates++;
  }
  sink.sent.length = 0;
}, 200).unref();
process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "stats") process.send!({ attempts: sink.attempts, posts, updates });
});
process.send!({ url: sink.url });
process.on("disconnect", () => process.exit(0));
// A normal exit on SIGTERM, so that a CPU profile (BENCH_CPU_PROFILE) is written.
process.on("SIGTERM", () => process.exit(0));
