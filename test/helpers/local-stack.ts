import { randomUUID } from "node:crypto";
import type { Container } from "@azure/cosmos";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type AppConfig } from "../../src/config.js";
import { startApp, type StartedApp } from "../../src/index.js";
import { createLogger } from "../../src/logger.js";
import { connectContainer } from "../../src/store/cosmos-container.js";
import { createCosmosStores, type CosmosStores } from "../../src/store/cosmos-store.js";
import {
  readPlaygroundConfig,
  startPlayground,
  withCurrentUser,
  writePlaygroundConfig,
  type MockUser,
  type PlaygroundConfig,
  type RunningPlayground,
} from "../../scripts/local/playground.js";
import { embeddedCosmos } from "./cosmos.js";
import { freePort } from "./net.js";
import { PlaygroundClient } from "./playground-client.js";

export const RESULTS_DIR = "test-results";

/**
 * The whole local system for end-to-end tests: the real bot (restify + Teams AI) on a fixed port,
 * the embedded Cosmos DB server through the real SDK, and two real Agents Playgrounds (one with the
 * requester as current user, one with the MSP Admin) driven over their HTTP API and websocket.
 */
export class LocalStack {
  app?: StartedApp;
  database = "";
  stores!: CosmosStores;
  /** The bot's container, for assertions on stored documents. */
  container!: Container;
  private playgrounds: RunningPlayground[] = [];

  private constructor(
    readonly mock: PlaygroundConfig,
    readonly botPort: number,
    readonly requester: PlaygroundClient,
    readonly admin: PlaygroundClient,
  ) {}

  static async start(): Promise<LocalStack> {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const mock = readPlaygroundConfig();
    const botPort = await freePort();
    const adminUser = mock.users.find((u) => u.name === "Megan Bowen")!;
    const endpoint = `http://127.0.0.1:${botPort}/api/messages`;
    const [requesterPg, adminPg] = await Promise.all([
      startPlayground({
        botEndpoint: endpoint,
        port: await freePort(),
        configPath: writePlaygroundConfig(mock, "test-requester"),
        logFile: join(RESULTS_DIR, "playground-requester.log"),
      }),
      startPlayground({
        botEndpoint: endpoint,
        port: await freePort(),
        configPath: writePlaygroundConfig(withCurrentUser(mock, adminUser.aadObjectId), "test-admin"),
        logFile: join(RESULTS_DIR, "playground-admin.log"),
      }),
    ]);
    const stack = new LocalStack(
      mock,
      botPort,
      new PlaygroundClient(requesterPg.url),
      new PlaygroundClient(adminPg.url),
    );
    stack.playgrounds = [requesterPg, adminPg];
    await Promise.all([stack.requester.connect(), stack.admin.connect()]);
    return stack;
  }

  /** A mock user by display name. */
  user(name: string): MockUser {
    const u = [this.mock.currentUser, ...this.mock.users].find((x) => x.name === name);
    if (!u) throw new Error(`no mock user ${name}`);
    return u;
  }

  get adminChannelId(): string {
    return this.mock.team.channels[0]!.id;
  }
  get requesterChatId(): string {
    return this.mock.personalChat.id;
  }
  get botMention() {
    return { id: this.mock.bot.id, name: this.mock.bot.name };
  }

  config(overrides: Record<string, string> = {}): AppConfig {
    return loadConfig({
      files: false,
      env: {
        APP_ENV: "local",
        PORT: String(this.botPort),
        COSMOS_ENDPOINT: this.cosmosEndpoint,
        COSMOS_KEY: "embedded-local-key",
        COSMOS_DATABASE: this.database,
        ALLOWED_DIRECTORY_IDS: this.mock.tenantId,
        INITIAL_ADMINS: `${this.user("Megan Bowen").aadObjectId},${this.user("Alex Wilber").userPrincipleName}`,
        ADMIN_CHANNEL_ID: this.adminChannelId,
        MSP_TENANT_NAME: "Contoso IT",
        LOG_LEVEL: "debug",
        LOG_FORMAT: "json",
        ...overrides,
      },
    });
  }

  private cosmosEndpoint = "";

  /** Starts the bot on its fixed port with a brand-new, empty database. */
  async freshBot(overrides: Record<string, string> = {}): Promise<StartedApp> {
    await this.stopBot();
    this.cosmosEndpoint = (await embeddedCosmos()).endpoint;
    this.database = `e2e-${randomUUID()}`;
    const { container } = await connectContainer({
      endpoint: this.cosmosEndpoint,
      key: "embedded-local-key",
      database: this.database,
      container: "access-desk",
    });
    this.container = container;
    this.stores = createCosmosStores(container);
    return this.startBot(overrides);
  }

  /** Every stored document's id, partition and ETag: equal snapshots mean nothing was written. */
  async snapshot(): Promise<string[]> {
    const { resources } = await this.container.items
      .query<{ id: string; personId: string; _etag: string }>("SELECT c.id, c.personId, c._etag FROM c")
      .fetchAll();
    return resources.map((d) => `${d.personId}/${d.id}@${d._etag}`).sort();
  }

  /** Stops the bot and starts a new one on the same database (nothing carries over in memory). */
  async restartBot(overrides: Record<string, string> = {}): Promise<StartedApp> {
    await this.stopBot();
    return this.startBot(overrides);
  }

  private async startBot(overrides: Record<string, string>) {
    const logger = createLogger({ logLevel: "debug", logFormat: "json" }, join(RESULTS_DIR, "bot.log"));
    this.app = await startApp(this.config(overrides), { logger });
    return this.app;
  }

  /**
   * Adds the app to the team's admins channel, as a Teams admin would: the bot then knows where the
   * channel is served from (by default the requester's Playground, where the tests read the channel).
   */
  async installInAdminChannel(client: PlaygroundClient = this.requester): Promise<void> {
    const from = client.mark();
    await client.install(this.adminChannelId);
    await client.waitFor(
      (e) => e.actionConversationId === this.adminChannelId && /Hi, I am Access Desk/.test(e.message.text ?? ""),
      {
        from,
        what: "the bot's greeting in the admins channel",
      },
    );
  }

  async stopBot(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  async stop(): Promise<void> {
    await this.stopBot();
    this.requester.close();
    this.admin.close();
    await Promise.all(this.playgrounds.map((p) => p.stop()));
  }
}
