import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "dotenv";

/** The only reader of process.env: every setting is read, validated and typed here, once, at start. */

export const BOT_TYPES = ["MultiTenant", "SingleTenant", "UserAssignedMsi"] as const;
export type BotType = (typeof BOT_TYPES)[number];
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export type AppConfig = {
  /** Which env/.env.<name> file was read; "local" is local mode. */
  appEnv: string;
  local: boolean;
  host: string;
  port: number;
  playgroundPort: number;
  cosmos: { endpoint: string | null; key: string | null; database: string; container: string };
  bot: {
    id: string | null;
    password: string | null;
    tenantId: string | null;
    type: BotType;
    /** Local mode only: validate incoming bot tokens against a stand-in OpenID issuer (tests). */
    authStandIn: { openIdMetadataUrl: string; issuer: string } | null;
  };
  /** Time-bound access, reminders, stale requests and self-registration. */
  governance: {
    everySeconds: number;
    expiryReminderHours: number;
    pendingReminderHours: number;
    pendingExpiryDays: number;
    selfRegistration: boolean;
    contact: string;
    reviewEveryDays: number;
    reviewDays: number;
    reviewDefault: "keep" | "revoke";
  };
  /** Local mode only, for crash tests: the process kills itself at this named point. */
  crashPoint: string | null;
  /** How often one person may ask for access, and how many API calls one person may make. */
  limits: {
    requestsPerHour: number;
    apiCallsPerMinute: number;
    teamsMessagesPerSecond: number;
    teamsDeliveryMaxWaitMs: number;
    /** How often unfinished work is re-driven (one instance at a time). */
    reconcileEverySeconds: number;
  };
  allowedDirectoryIds: string[];
  initialAdmins: string[];
  adminChannelId: string | null;
  mspTenantName: string;
  /** How the People tab's tokens are checked (Teams SSO in the cloud; the dev sign-in locally). */
  tab: {
    /** Accepted `aud` values: the tab app's client id (and its application ID URI, if listed). */
    audiences: string[];
    /** Expected `iss`, with `{tid}` standing for the token's directory; null: the local dev sign-in. */
    issuer: string | null;
    /** Where the signing keys are published; null: the local dev sign-in's own key. */
    jwksUrl: string | null;
    /** Mock users file for the local dev sign-in (local mode only); null: no dev sign-in. */
    devUsersFile: string | null;
  };
  /** Reading the allowed directories' accounts from Microsoft Graph; null `auth`: off. */
  directorySync: DirectorySyncConfig;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: "json" | "pretty";
};

/** How the app signs in to Microsoft Graph to read directories. */
export type GraphAuth =
  | { kind: "client-secret"; clientId: string; secret: string }
  /** `clientId` picks a user-assigned identity; null: the system-assigned one. */
  | { kind: "managed-identity"; clientId: string | null };

export type DirectorySyncConfig = {
  /** Minutes between syncs; 0: off. */
  everyMinutes: number;
  /** Null: no Graph credentials, so no sync. */
  auth: GraphAuth | null;
  graphEndpoint: string;
  authorityHost: string;
  /** Extra certificate authority (PEM) trusted for Graph and sign-in, besides the usual ones. */
  caPem: string | null;
};

/** Start-up refused: names every bad or missing setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UPN = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const COSMOS_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

const readEnvFile = (path: string): Env => (existsSync(path) ? parse(readFileSync(path)) : {});

/**
 * The environment the app runs with: `env/.env.<APP_ENV>`, then `env/.env.<APP_ENV>.user` (secrets,
 * never committed), then the process environment, each overriding the one before. APP_ENV defaults to "local".
 */
export const resolveEnv = (options: { env?: Env; cwd?: string; files?: boolean } = {}): Env => {
  const processEnv = options.env ?? process.env;
  const appEnv = processEnv.APP_ENV?.trim() || "local";
  if (options.files === false || !/^[a-z][a-z0-9-]*$/.test(appEnv)) return { ...processEnv, APP_ENV: appEnv };
  const dir = join(options.cwd ?? process.cwd(), "env");
  return {
    ...readEnvFile(join(dir, `.env.${appEnv}`)),
    ...readEnvFile(join(dir, `.env.${appEnv}.user`)),
    ...processEnv,
    APP_ENV: appEnv,
  };
};

/** Reads and validates the configuration; throws ConfigError naming each problem. */
export const loadConfig = (options: { env?: Env; cwd?: string; files?: boolean } = {}): AppConfig => {
  const env = resolveEnv(options);
  const problems: string[] = [];
  const text = (key: string): string | null => {
    const v = env[key]?.trim();
    return v ? v : null;
  };
  const fail = <T>(key: string, why: string, fallback: T): T => {
    const got = env[key];
    problems.push(`${key}: ${why}${got !== undefined && got !== "" ? ` (got "${got.slice(0, 80)}")` : ""}`);
    return fallback;
  };
  const port = (key: string, fallback: number): number => {
    const v = text(key);
    if (v === null) return fallback;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 && n <= 65535
      ? n
      : fail(key, "must be a port number from 0 to 65535", fallback);
  };
  const list = (key: string): string[] =>
    (text(key) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);

  const appEnv = env.APP_ENV!;
  if (!/^[a-z][a-z0-9-]*$/.test(appEnv)) fail("APP_ENV", "must be a lower-case name such as local, dev or prod", null);
  const local = appEnv === "local";

  const botId = text("BOT_ID");
  if (botId !== null && !GUID.test(botId)) fail("BOT_ID", "must be the bot's Microsoft app id (a GUID)", null);
  const botTypeText = text("BOT_TYPE") ?? "SingleTenant";
  const botType = (BOT_TYPES as readonly string[]).includes(botTypeText)
    ? (botTypeText as BotType)
    : fail("BOT_TYPE", `must be one of ${BOT_TYPES.join(", ")}`, "SingleTenant" as BotType);
  const botPassword = text("BOT_PASSWORD");

  const host = text("HOST") ?? (local ? "127.0.0.1" : "0.0.0.0");
  if (botId === null) {
    if (!local) {
      fail(
        "BOT_ID",
        `is required outside local mode (APP_ENV=${appEnv}): anonymous bot access is allowed only locally`,
        null,
      );
    } else if (!LOOPBACK.has(host)) {
      fail(
        "HOST",
        "must be a loopback address while BOT_ID is empty: anonymous bot access never listens on a network",
        null,
      );
    }
  } else if (botType !== "UserAssignedMsi" && botPassword === null) {
    fail("BOT_PASSWORD", `is required with BOT_ID when BOT_TYPE is ${botType}`, null);
  }

  const allowedDirectoryIds = list("ALLOWED_DIRECTORY_IDS").map((s) => s.toLowerCase());
  if (allowedDirectoryIds.length === 0) {
    fail(
      "ALLOWED_DIRECTORY_IDS",
      "is required: the Entra tenant ids whose people may use the app, comma-separated",
      null,
    );
  } else if (!allowedDirectoryIds.every((id) => GUID.test(id))) {
    fail("ALLOWED_DIRECTORY_IDS", "must be Entra tenant ids (GUIDs), comma-separated", null);
  }

  const explicitBotTenant = text("BOT_TENANT_ID")?.toLowerCase() ?? null;
  if (explicitBotTenant !== null && !GUID.test(explicitBotTenant))
    fail("BOT_TENANT_ID", "must be an Entra tenant id (GUID)", null);
  const firstDirectory = allowedDirectoryIds[0];
  const botTenantId = explicitBotTenant ?? (firstDirectory && GUID.test(firstDirectory) ? firstDirectory : null);

  const initialAdmins = list("INITIAL_ADMINS").map((s) => s.toLowerCase());
  if (initialAdmins.length === 0) {
    fail("INITIAL_ADMINS", "is required: Entra object ids or UPNs of the first MSP Admins, comma-separated", null);
  } else {
    const bad = initialAdmins.filter((a) => !GUID.test(a) && !UPN.test(a));
    if (bad.length > 0)
      fail("INITIAL_ADMINS", `entries must be Entra object ids or UPNs; not: ${bad.join(", ")}`, null);
  }

  const adminChannelId = text("ADMIN_CHANNEL_ID");
  if (adminChannelId !== null && (/\s/.test(adminChannelId) || adminChannelId.length > 300)) {
    fail("ADMIN_CHANNEL_ID", "must be a Teams channel id without spaces", null);
  }

  const endpoint = text("COSMOS_ENDPOINT");
  if (endpoint !== null) {
    let ok = false;
    try {
      const url = new URL(endpoint);
      ok =
        url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname.replace(/^\[|\]$/g, "")));
    } catch {
      ok = false;
    }
    if (!ok) fail("COSMOS_ENDPOINT", "must be an https URL (plain http only on loopback)", null);
  } else if (!local) {
    fail("COSMOS_ENDPOINT", "is required outside local mode", null);
  }
  const database = text("COSMOS_DATABASE") ?? "access-desk";
  if (!COSMOS_ID.test(database)) fail("COSMOS_DATABASE", "must be a Cosmos DB id (letters, digits, - and _)", null);
  const container = text("COSMOS_CONTAINER") ?? "access-desk";
  if (!COSMOS_ID.test(container)) fail("COSMOS_CONTAINER", "must be a Cosmos DB id (letters, digits, - and _)", null);

  const logLevelText = text("LOG_LEVEL") ?? "info";
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelText)
    ? (logLevelText as AppConfig["logLevel"])
    : fail("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`, "info" as const);
  const logFormatText = text("LOG_FORMAT") ?? (local ? "pretty" : "json");
  const logFormat =
    logFormatText === "json" || logFormatText === "pretty"
      ? logFormatText
      : fail("LOG_FORMAT", "must be json or pretty", "json" as const);

  const tabClientId = text("TAB_CLIENT_ID");
  if (tabClientId === null && !local)
    fail("TAB_CLIENT_ID", "is required outside local mode: the People tab's Entra app (client) id", null);
  const audiences = [...new Set([...(tabClientId ? [tabClientId] : []), ...list("TAB_AUDIENCES")])];
  const tabIssuer = text("TAB_ISSUER") ?? (local ? null : "https://login.microsoftonline.com/{tid}/v2.0");
  if (tabIssuer !== null && (!tabIssuer.includes("{tid}") || !/^https?:\/\//.test(tabIssuer))) {
    fail(
      "TAB_ISSUER",
      "must be a URL containing {tid} (for example https://login.microsoftonline.com/{tid}/v2.0)",
      null,
    );
  }
  const tabJwks =
    text("TAB_JWKS_URL") ?? (tabIssuer ? "https://login.microsoftonline.com/common/discovery/v2.0/keys" : null);
  if (tabJwks !== null && !/^https?:\/\//.test(tabJwks)) fail("TAB_JWKS_URL", "must be a URL", null);
  const devUsersFile = text("DEV_SIGN_IN_USERS") ?? (local && tabIssuer === null ? ".m365agentsplayground.yml" : null);
  if (devUsersFile !== null && !local) {
    fail("DEV_SIGN_IN_USERS", "the dev sign-in exists only in local mode (APP_ENV=local)", null);
  }
  if (local && tabIssuer === null && audiences.length === 0) audiences.push("access-desk-local");

  const standInMetadata = text("BOT_AUTH_OPENID_METADATA_URL");
  const standInIssuer = text("BOT_AUTH_ISSUER");
  if ((standInMetadata === null) !== (standInIssuer === null)) {
    fail(
      standInMetadata === null ? "BOT_AUTH_OPENID_METADATA_URL" : "BOT_AUTH_ISSUER",
      "BOT_AUTH_OPENID_METADATA_URL and BOT_AUTH_ISSUER go together",
      null,
    );
  } else if (standInMetadata !== null && !local) {
    fail(
      "BOT_AUTH_OPENID_METADATA_URL",
      "a stand-in token issuer is accepted only in local mode (APP_ENV=local)",
      null,
    );
  } else if (standInMetadata !== null && botId === null) {
    fail("BOT_AUTH_OPENID_METADATA_URL", "needs BOT_ID: without it bot authentication is off", null);
  }
  const positive = (key: string, fallback: number, max: number): number => {
    const v = text(key);
    if (v === null) return fallback;
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= max
      ? n
      : fail(key, `must be a whole number from 1 to ${max}`, fallback);
  };
  const limits = {
    requestsPerHour: positive("REQUEST_LIMIT_PER_HOUR", 3, 1000),
    apiCallsPerMinute: positive("API_LIMIT_PER_MINUTE", 300, 1_000_000),
    teamsMessagesPerSecond: positive("TEAMS_MESSAGES_PER_SECOND", 7, 1000),
    teamsDeliveryMaxWaitMs: positive("TEAMS_DELIVERY_MAX_WAIT_MS", 30_000, 600_000),
    reconcileEverySeconds: positive("RECONCILE_EVERY_SECONDS", 30, 86_400),
  };

  const crashPoint = text("CRASH_POINT");
  if (crashPoint !== null && !local) fail("CRASH_POINT", "is a test hook, accepted only in local mode", null);
  if (crashPoint !== null && crashPoint !== "after-decision-commit")
    fail("CRASH_POINT", "the only crash point is after-decision-commit", null);

  const selfRegistrationText = (text("SELF_REGISTRATION") ?? "on").toLowerCase();
  if (!["on", "off"].includes(selfRegistrationText)) fail("SELF_REGISTRATION", "must be on or off", null);
  const reviewDefault = (text("ACCESS_REVIEW_DEFAULT") ?? "keep").toLowerCase();
  if (reviewDefault !== "keep" && reviewDefault !== "revoke")
    fail("ACCESS_REVIEW_DEFAULT", "must be keep or revoke", null);
  const reviewEveryText = text("ACCESS_REVIEW_EVERY_DAYS");
  const reviewEveryDays = reviewEveryText === "0" ? 0 : positive("ACCESS_REVIEW_EVERY_DAYS", 90, 3650);
  const governance = {
    everySeconds: positive("GOVERNANCE_EVERY_SECONDS", 60, 86_400),
    expiryReminderHours: positive("EXPIRY_REMINDER_HOURS", 24, 24 * 30),
    pendingReminderHours: positive("PENDING_REMINDER_HOURS", 24, 24 * 30),
    pendingExpiryDays: positive("PENDING_EXPIRY_DAYS", 14, 365),
    selfRegistration: selfRegistrationText !== "off",
    contact: text("SELF_REGISTRATION_CONTACT") ?? "your IT administrator",
    reviewEveryDays,
    reviewDays: positive("ACCESS_REVIEW_DAYS", 7, 365),
    reviewDefault: reviewDefault as "keep" | "revoke",
  };

  const directorySync = readDirectorySync(text, fail, options.cwd);

  const mspTenantName = text("MSP_TENANT_NAME") ?? "MSP";
  if (mspTenantName.length > 100) fail("MSP_TENANT_NAME", "must be at most 100 characters", null);

  const config: AppConfig = {
    appEnv,
    local,
    host,
    port: port("PORT", 3978),
    playgroundPort: port("PLAYGROUND_PORT", 56150),
    cosmos: { endpoint, key: text("COSMOS_KEY"), database, container },
    bot: {
      id: botId,
      password: botPassword,
      tenantId: botTenantId,
      type: botType,
      authStandIn:
        standInMetadata && standInIssuer ? { openIdMetadataUrl: standInMetadata, issuer: standInIssuer } : null,
    },
    limits,
    governance,
    crashPoint,
    allowedDirectoryIds,
    initialAdmins,
    adminChannelId,
    mspTenantName,
    tab: { audiences, issuer: tabIssuer, jwksUrl: tabJwks, devUsersFile },
    directorySync,
    logLevel,
    logFormat,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
};

const PUBLIC_AUTHORITY = "https://login.microsoftonline.com";

/** An https URL (plain http only on loopback when `loopbackHttp`), without a trailing slash; null if not. */
const baseUrl = (value: string, loopbackHttp: boolean): string | null => {
  try {
    const url = new URL(value);
    const loopback = LOOPBACK.has(url.hostname.replace(/^\[|\]$/g, ""));
    if (url.protocol !== "https:" && !(loopbackHttp && url.protocol === "http:" && loopback)) return null;
    if (url.search || url.hash || url.username) return null;
    return url.toString().replace(/\/+$/, "");
  } catch {
    return null;
  }
};

/**
 * Directory sync settings: on when there are Graph credentials and DIRECTORY_SYNC_EVERY_MINUTES is
 * not 0. Secrets come only from env/.env.<APP_ENV>.user or the process environment.
 */
const readDirectorySync = (
  text: (key: string) => string | null,
  fail: <T>(key: string, why: string, fallback: T) => T,
  cwd: string | undefined,
): DirectorySyncConfig => {
  const everyText = text("DIRECTORY_SYNC_EVERY_MINUTES");
  let everyMinutes = 60;
  if (everyText !== null) {
    const n = Number(everyText);
    everyMinutes =
      Number.isInteger(n) && n >= 0 && n <= 10_080
        ? n
        : fail("DIRECTORY_SYNC_EVERY_MINUTES", "must be a whole number of minutes from 0 (off) to 10080", 60);
  }
  const mode = (text("GRAPH_AUTH") ?? "client-secret").toLowerCase();
  const clientId = text("GRAPH_CLIENT_ID")?.toLowerCase() ?? null;
  const secret = text("GRAPH_CLIENT_SECRET");
  if (clientId !== null && !GUID.test(clientId))
    fail("GRAPH_CLIENT_ID", "must be the Entra application (client) id of the Graph app (a GUID)", null);
  let auth: GraphAuth | null = null;
  if (mode === "managed-identity") {
    if (secret !== null)
      fail("GRAPH_CLIENT_SECRET", "must be empty with GRAPH_AUTH=managed-identity: choose one way to sign in", null);
    auth = { kind: "managed-identity", clientId };
  } else if (mode === "client-secret") {
    if (secret !== null && clientId === null)
      fail("GRAPH_CLIENT_ID", "is required with GRAPH_CLIENT_SECRET: the application (client) id it belongs to", null);
    else if (secret === null && clientId !== null)
      fail("GRAPH_CLIENT_SECRET", "is required with GRAPH_CLIENT_ID (or set GRAPH_AUTH=managed-identity)", null);
    else if (secret !== null && clientId !== null) auth = { kind: "client-secret", clientId, secret };
  } else {
    fail("GRAPH_AUTH", "must be client-secret or managed-identity", null);
  }
  const endpointText = text("GRAPH_ENDPOINT") ?? "https://graph.microsoft.com";
  const graphEndpoint =
    baseUrl(endpointText, true) ??
    fail(
      "GRAPH_ENDPOINT",
      "must be an https URL such as https://graph.microsoft.com (plain http only on loopback)",
      "",
    );
  const authorityText = text("ENTRA_AUTHORITY_HOST") ?? PUBLIC_AUTHORITY;
  const authorityHost =
    baseUrl(authorityText, false) ??
    fail("ENTRA_AUTHORITY_HOST", "must be an https URL such as https://login.microsoftonline.com", "");
  const caFile = text("GRAPH_CA_FILE");
  let caPem: string | null = null;
  if (caFile !== null) {
    const resolved = resolve(cwd ?? process.cwd(), caFile);
    if (!existsSync(resolved)) {
      fail("GRAPH_CA_FILE", "no such file", null);
    } else {
      const pem = readFileSync(resolved, "utf8");
      if (!pem.includes("-----BEGIN CERTIFICATE-----"))
        fail("GRAPH_CA_FILE", "must be a PEM file with at least one certificate", null);
      else caPem = pem;
    }
  }
  return { everyMinutes, auth: everyMinutes > 0 ? auth : null, graphEndpoint, authorityHost, caPem };
};

/** Loads the configuration for a process entry point; on a bad value prints every problem and exits. */
export const loadConfigOrExit = (): AppConfig => {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`Access Desk cannot start.\n${e.message}\nSee the configuration table in README.md.`);
    process.exit(78);
  }
};

/** The environment for a child process started by the local runner: this process's, plus overrides. */
export const childEnvironment = (overrides: Env): NodeJS.ProcessEnv => ({ ...process.env, ...overrides });
