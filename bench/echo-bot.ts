import { Application } from "@microsoft/teams-ai";
import { ActivityTypes } from "botbuilder";
import pino from "pino";
import { createHttpServer, listen } from "../src/http/server.js";
import { createAdapter } from "../src/teams/adapter.js";
import { messagesEndpoint } from "../src/teams/messages-endpoint.js";

/**
 * The baseline: a bare Teams AI echo bot on the same stack as Access Desk (restify server, the same
 * TeamsAdapter, the same endpoint checks and the same Application options) that replies once per
 * message and answers a card action with a small card. It reads no store, so Access Desk's turns are
 * measured as a ratio to the cost of the stack itself.
 */
const started = process.hrtime.bigint();
const logger = pino({ level: "silent" });
const adapter = createAdapter({ id: null, password: null, tenantId: null, type: "SingleTenant", authStandIn: null });
const app = new Application({
  adapter,
  botAppId: "",
  removeRecipientMention: true,
  startTypingTimer: false,
  longRunningMessages: false,
});
app.activity(ActivityTypes.Message, async (context) => {
  await context.sendActivity(`You said: ${context.activity.text ?? ""}`);
});
app.adaptiveCards.actionExecute(/.*/, async () => ({
  type: "AdaptiveCard",
  version: "1.4",
  body: [{ type: "TextBlock", text: "Done" }],
}));
const server = createHttpServer({
  logger,
  messages: messagesEndpoint(adapter, app, logger),
  health: { ping: async () => undefined },
  maxBodyBytes: 256 * 1024,
});
const port = await listen(server, Number(process.argv[2] ?? 0), "127.0.0.1");
console.log(`ECHO_READY ${port} ${Number(process.hrtime.bigint() - started) / 1e6}`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
