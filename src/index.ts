import { randomUUID } from "node:crypto";
import type { AppConfig } from "./config.js";
import { registerApiRoutes } from "./http/api-routes.js";
import { DevIdentityProvider } from "./http/dev-identity.js";
import { createHttpServer, listen } from "./http/server.js";
import { createTabAuthenticator } from "./http/tab-auth.js";
import { registerTabRoutes } from "./http/tab-routes.js";
import { createLogger } from "./logger.js";
import { BackgroundTasks } from "./services/background.js";
import { bootstrap } from "./services/bootstrap.js";
import type { ServiceDeps } from "./services/deps.js";
import { createServices, type AppServices } from "./services/index.js";
import type { Clock, Logger } from "./services/ports.js";
import { runGovernance } from "./services/govern-access.js";
import { reconcile } from "./services/reconcile.js";
import { startScheduled } from "./services/scheduler.js";
import { syncDirectories } from "./services/sync-directory.js";
import { GraphDirectoryReader } from "./directory/graph-directory-reader.js";
import { connectContainer } from "./store/cosmos-container.js";
import { createCosmosStores } from "./store/cosmos-store.js";
import { countingStoreCalls } from "./store/round-trips.js";
import { EMBEDDED_COSMOS_KEY, startEmbeddedCosmos } from "./store/embedded-cosmos.js";
import { createAdapter } from "./teams/adapter.js";
import { createBot } from "./teams/bot.js";
import { messagesEndpoint } from "./teams/messages-endpoint.js";
import { Delivery } from "./teams/delivery.js";
import { TeamsNotifier } from "./teams/notifier.js";

/** How long shutdown waits for requests in flight and follow-up work. */
export const SHUTDOWN_BOUND_MS = 8_000;

/** Largest request body accepted on any endpoint (Teams activities are far smaller). */
export const MAX_BODY_BYTES = 256 * 1024;

export type StartedApp = {
  url: string;
  port: number;
  services: AppServices;
  /** Resolves when the follow-up work started so far (card updates, notices) has settled. */
  idle(): Promise<void>;
  /** Stops accepting, lets requests in flight and started background work finish (bounded), closes the store. */
  close(boundMs?: number): Promise<void>;
};

export type StartOptions = {
  logger?: Logger;
  clock?: Clock;
  reconcileEveryMs?: number;
  governanceEveryMs?: number;
  /** How often directory sync checks whether a directory is due (default: every minute). */
  directorySyncTickMs?: number;
};

/** Directory sync looks every minute whether a directory's period has passed (so restarts do not delay it). */
const DIRECTORY_SYNC_TICK_MS = 60_000;
/** The directory sync lease outlives a long run of a large directory; if its holder dies, another takes over after it. */
const DIRECTORY_SYNC_LEASE_MS = 30 * 60_000;

const systemClock: Clock = { now: () => new Date() };

/** Wiring only: config → logger → store → services → Teams + HTTP → listen. */
export const startApp = async (config: AppConfig, options: StartOptions = {}): Promise<StartedApp> => {
  const logger = options.logger ?? createLogger(config);
  let endpoint = config.cosmos.endpoint;
  let key = config.cosmos.key;
  let embedded: Awaited<ReturnType<typeof startEmbeddedCosmos>> | undefined;
  if (!endpoint) {
    embedded = await startEmbeddedCosmos();
    endpoint = embedded.endpoint;
    key = EMBEDDED_COSMOS_KEY;
    logger.warn(
      { endpoint },
      "COSMOS_ENDPOINT is empty: using an embedded in-memory Cosmos DB server; data is lost when the bot stops",
    );
  }
  const { client, container } = await connectContainer({
    endpoint,
    key,
    database: config.cosmos.database,
    container: config.cosmos.container,
  });
  const stores = createCosmosStores(container);

  const adapter = createAdapter(config.bot);
  const botAppId = config.bot.id ?? "";
  const background = new BackgroundTasks(logger);
  const graphAuth = config.directorySync.auth;
  const directory = graphAuth
    ? new GraphDirectoryReader(graphAuth, config.directorySync, logger.child({ area: "directory" }))
    : null;
  const deps: ServiceDeps = {
    ...stores,
    notifier: new TeamsNotifier(
      adapter,
      botAppId,
      logger.child({ area: "notifier" }),
      new Delivery(
        {
          perConversationPerSecond: config.limits.teamsMessagesPerSecond,
          attempts: 6,
          maxWaitMs: config.limits.teamsDeliveryMaxWaitMs,
        },
        logger.child({ area: "delivery" }),
      ),
    ),
    directory,
    clock: options.clock ?? systemClock,
    logger: logger.child({ area: "services" }),
    background,
    crashPoint: config.crashPoint
      ? { name: config.crashPoint, crash: () => process.kill(process.pid, "SIGKILL") }
      : null,
    policy: {
      allowedDirectoryIds: config.allowedDirectoryIds,
      initialAdmins: config.initialAdmins,
      adminChannelId: config.adminChannelId,
      requestsPerHour: config.limits.requestsPerHour,
      directorySyncEveryMinutes: config.directorySync.everyMinutes,
      governance: config.governance,
    },
  };
  await bootstrap(deps, { mspTenantName: config.mspTenantName });
  const services = createServices(deps);
  const bot = createBot({ adapter, botAppId, services, logger });
  const server = createHttpServer({
    logger,
    messages: countedTurns(
      messagesEndpoint(adapter, bot, logger.child({ area: "bot-endpoint" }), background),
      logger.child({ area: "bot-endpoint" }),
    ),
    health: stores.health,
    maxBodyBytes: MAX_BODY_BYTES,
  });

  // The People tab: its API behind Entra ID tokens (locally, the dev sign-in's tokens), and its files.
  let url = "";
  const dev = config.tab.devUsersFile
    ? await DevIdentityProvider.create({
        local: config.local,
        usersFile: config.tab.devUsersFile,
        audience: config.tab.audiences[0]!,
      })
    : null;
  const authenticate = createTabAuthenticator(() => ({
    issuer: config.tab.issuer ?? DevIdentityProvider.issuer(url),
    jwksUrl: config.tab.jwksUrl ?? `${url}/dev/jwks.json`,
    audiences: config.tab.audiences,
    allowedDirectoryIds: config.allowedDirectoryIds,
  }));
  registerApiRoutes(server, { services, authenticate, logger, callsPerMinute: config.limits.apiCallsPerMinute });
  registerTabRoutes(server, { audience: config.tab.audiences[0] ?? "", dev, baseUrl: () => url });

  const port = await listen(server, config.port, config.host);
  url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    {
      url,
      tab: `${url}/tab/`,
      tabSignIn: dev ? "dev sign-in (local mode)" : "Teams SSO",
      mode: config.local ? "local" : config.appEnv,
      botAuth: config.bot.id ? "on" : "off (local mode)",
      database: config.cosmos.database,
      directorySync: directory
        ? `every ${config.directorySync.everyMinutes} min (${graphAuth!.kind})`
        : "off (no Graph credentials)",
    },
    "Access Desk is listening",
  );
  background.run("reconcile", () => reconcile(deps));
  // Unfinished work (cards, notices, audit events) is re-driven every 30 s by one instance at a time.
  const stopTimers = startScheduled(deps, stores.leases, randomUUID(), [
    {
      name: "reconcile",
      everyMs: options.reconcileEveryMs ?? config.limits.reconcileEverySeconds * 1000,
      run: () => reconcile(deps),
    },
    {
      name: "governance",
      everyMs: options.governanceEveryMs ?? config.governance.everySeconds * 1000,
      run: () => runGovernance(deps),
    },
    ...(directory
      ? [
          {
            name: "directory-sync",
            everyMs: options.directorySyncTickMs ?? DIRECTORY_SYNC_TICK_MS,
            leaseMs: DIRECTORY_SYNC_LEASE_MS,
            run: () => syncDirectories(deps),
          },
        ]
      : []),
  ]);

  return {
    url,
    port,
    services,
    idle: () => background.idle(),
    async close(boundMs = SHUTDOWN_BOUND_MS) {
      // Stop accepting; let requests in flight finish, up to the bound; then close what is left.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections?.();
      const bound = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), boundMs).unref());
      if ((await Promise.race([drained, bound])) === "timeout") {
        logger.warn({ boundMs }, "shutdown: requests still in flight after the bound; closing them");
      }
      server.server.closeAllConnections?.();
      const settled = Promise.all([stopTimers(), background.idle()]);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, boundMs).unref())]);
      client.dispose();
      directory?.close();
      await embedded?.close();
    },
  };
};

/**
 * Logs each bot turn once answered: its activity type, status, time and the Cosmos DB round trips made
 * before the answer (follow-up work the turn started is not counted: it begins after the answer).
 */
const countedTurns =
  (turn: ReturnType<typeof messagesEndpoint>, log: Logger): ReturnType<typeof messagesEndpoint> =>
  async (body, authorization, correlationId) => {
    const started = performance.now();
    const { value: answer, calls } = await countingStoreCalls(() => turn(body, authorization, correlationId));
    const type = (body as { type?: unknown } | null)?.type;
    log.info(
      {
        correlationId,
        activityType: typeof type === "string" ? type.slice(0, 64) : null,
        status: answer.status,
        ms: Math.round(performance.now() - started),
        storeCalls: calls(),
      },
      "bot turn answered",
    );
    return answer;
  };
