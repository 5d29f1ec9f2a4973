import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "vite";
import { childEnvironment, loadConfigOrExit, type AppConfig } from "../src/config.js";
import { EMBEDDED_COSMOS_KEY } from "../src/store/embedded-cosmos.js";
import { DirectoryDemo } from "./local/directory-demo.js";
import { LOCAL_ENDPOINTS_FILE } from "./local/endpoints.js";
import {
  PROJECT_PLAYGROUND_CONFIG,
  readPlaygroundConfig,
  startPlayground,
  withCurrentUser,
  writePlaygroundConfig,
  type MockUser,
  type RunningPlayground,
} from "./local/playground.js";

/**
 * `npm start`: everything on loopback. The embedded Cosmos DB server and the bot run as child
 * processes, then one Agents Playground per side (the requester's and the admin's), since a
 * Playground can type only as its current user. If any child stops, everything stops.
 */

const usage = `Usage: npm start [-- [--as both|requester|admin] [--directory]]
  --as both       two Playgrounds: the requester's and the admin's (default)
  --as requester  only the requester's Playground (on PLAYGROUND_PORT)
  --as admin      only the admin's Playground (on PLAYGROUND_PORT)
  --directory     also a local Entra ID and Microsoft Graph holding the Playground's people, synced
                  every minute; change accounts with curl (printed at start, on PORT + 1) and watch
                  directory sync offboard them`;

const { values } = parseArgs({
  options: {
    as: { type: "string", default: "both" },
    directory: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const side = values.as;
if (side !== "both" && side !== "requester" && side !== "admin") {
  console.error(`Unknown --as "${side}".\n${usage}`);
  process.exit(64);
}

/**
 * The Playground sends no tokens, so its bot is anonymous even when debugging in Teams
 * (teamsapp.local.yml) has written the real bot's BOT_ID into env/.env.local.
 */
const PLAYGROUND_BOT = { BOT_ID: "", BOT_PASSWORD: "" };

const config: AppConfig = loadConfigOrExit({ env: childEnvironment(PLAYGROUND_BOT) });
if (!config.local) {
  console.error(
    `npm start runs local mode only (APP_ENV is "${config.appEnv}"). Use npm run build && npm run start:prod.`,
  );
  process.exit(64);
}

const logDir = join("devTools");
mkdirSync(logDir, { recursive: true });
const children = new Map<string, ChildProcess>();
let stopping = false;

const prefix = (
  name: string,
  stream: NodeJS.ReadableStream,
  out: NodeJS.WritableStream,
  onLine?: (line: string) => void,
) => {
  let buffer = "";
  stream.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      onLine?.(line);
      out.write(`[${name}] ${line}\n`);
    }
  });
};

const stopAll = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  console.error(`\n[start] ${reason}: stopping everything.`);
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
        }),
    ),
  );
  process.exit(code);
};

const watch = (name: string, child: ChildProcess) => {
  children.set(name, child);
  child.once("exit", (code, signal) => {
    void stopAll(`${name} stopped (${signal ?? `exit code ${code}`})`, code === 0 ? 1 : (code ?? 1));
  });
};

const node = (name: string, script: string, env: Record<string, string>, onLine?: (line: string) => void) => {
  const child = spawn(process.execPath, ["--import", "tsx", "--disable-warning=DEP0111", script], {
    env: childEnvironment(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefix(name, child.stdout!, process.stdout, onLine);
  prefix(name, child.stderr!, process.stderr, onLine);
  watch(name, child);
  return child;
};

const waitForLine = (name: string, script: string, env: Record<string, string>, pattern: RegExp) =>
  new Promise<RegExpExecArray>((resolve) => {
    node(name, script, env, (line) => {
      const m = pattern.exec(line);
      if (m) resolve(m);
    });
  });

const waitForHealth = async (url: string) => {
  for (let i = 0; i < 120 && !stopping; i++) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stopAll(`the bot did not answer ${url} within 60 s`, 1);
};

process.on("SIGINT", () => void stopAll("Ctrl-C", 0));
process.on("SIGTERM", () => void stopAll("SIGTERM", 0));

// 0. The People tab's files (Vite; a second or two).
try {
  await build({ configFile: "web/vite.config.ts", logLevel: "warn" });
} catch (e) {
  console.error("[start] building the People tab failed:", e);
  process.exit(1);
}

// 1. The store.
let cosmosEndpoint = config.cosmos.endpoint;
let cosmosKey = config.cosmos.key ?? "";
if (!cosmosEndpoint) {
  const m = await waitForLine("cosmos", "scripts/run-embedded-cosmos.ts", {}, /COSMOS_READY (\S+)/);
  cosmosEndpoint = m[1]!;
  cosmosKey = EMBEDDED_COSMOS_KEY;
}

writeFileSync(LOCAL_ENDPOINTS_FILE, JSON.stringify({ cosmosEndpoint, cosmosKey }));

// 2. With --directory: Entra ID and Graph stand-ins holding the mock people, in this process.
const mock = readPlaygroundConfig();
let directory: DirectoryDemo | null = null;
if (values.directory) {
  if (!config.allowedDirectoryIds.includes(mock.tenantId.toLowerCase())) {
    await stopAll(
      `--directory serves the Playground's directory ${mock.tenantId}, which is not in ALLOWED_DIRECTORY_IDS`,
      64,
    );
  }
  if (config.directorySync.auth)
    console.log("[start] --directory: directory sync reads the local stand-ins, not your GRAPH_* settings.");
  directory = await DirectoryDemo.start({ playground: mock, controlPort: config.port + 1 });
}

// 3. The bot.
const botUrl = `http://127.0.0.1:${config.port}`;
node("bot", "src/main.ts", {
  ...PLAYGROUND_BOT,
  COSMOS_ENDPOINT: cosmosEndpoint,
  COSMOS_KEY: cosmosKey,
  LOG_FORMAT: process.stdout.isTTY ? "pretty" : "json",
  ...(directory?.botEnv ?? {}),
});
await waitForHealth(`${botUrl}/readyz`);

// 4. The Playgrounds.
const admins = [mock.currentUser, ...mock.users].filter(
  (u) =>
    config.initialAdmins.includes(u.aadObjectId.toLowerCase()) ||
    config.initialAdmins.includes(u.userPrincipleName.toLowerCase()),
);
const admin: MockUser | undefined = admins[0];
if (side !== "requester" && !admin) {
  await stopAll(`no mock user in ${PROJECT_PLAYGROUND_CONFIG} is in INITIAL_ADMINS`, 1);
}
const requester = mock.currentUser;
const playgrounds: Array<{ who: MockUser; role: string; pg: RunningPlayground }> = [];
const launch = async (who: MockUser, role: string, port: number) => {
  const configPath =
    who === requester ? PROJECT_PLAYGROUND_CONFIG : writePlaygroundConfig(withCurrentUser(mock, who.aadObjectId), role);
  const pg = await startPlayground({
    botEndpoint: `${botUrl}/api/messages`,
    port,
    configPath,
    logFile: join(logDir, `playground-${role}.log`),
    onOutput: (line) => process.stdout.write(`[playground:${role}] ${line}\n`),
  });
  watch(`the ${role}'s Playground`, pg.process);
  playgrounds.push({ who, role, pg });
  return pg;
};
if (side === "both") {
  await Promise.all([
    launch(requester, "requester", config.playgroundPort),
    launch(admin!, "admin", config.playgroundPort + 1),
  ]);
} else if (side === "requester") {
  await launch(requester, "requester", config.playgroundPort);
} else {
  await launch(admin!, "admin", config.playgroundPort);
}

// Add the app to the admins channel in the admin's Playground, as installing it in a team does in Teams.
const adminPg = playgrounds.find((p) => p.role === "admin")?.pg;
if (adminPg && config.adminChannelId) {
  await fetch(`${adminPg.url}/_debug/conversation/${encodeURIComponent(config.adminChannelId)}/installation`, {
    method: "POST",
  }).catch(() => undefined);
}

/** How to change the stand-in directory, with the Playground's people who are not admins as examples. */
const directoryHelp = (demo: DirectoryDemo): string[] => {
  const others = [mock.currentUser, ...mock.users].filter((u) => !admins.includes(u));
  return [
    "",
    `  Directory sync (--directory): a local Entra ID and Graph hold the ${demo.accounts().length} mock people (directory`,
    `  ${demo.directoryId}), synced every minute; the first run makes them known. Change an account`,
    "  as an Entra admin would (by UPN or object id): at the next sync a disabled or deleted person is",
    "  offboarded (access removed, waiting request closed) and a note arrives in the admins channel.",
    ...demo.examples(others).map((c) => `    ${c}`),
    "",
  ];
};

const line = (label: string, value: string) => `  ${label.padEnd(48)} ${value}`;
console.log(
  [
    "",
    "Access Desk is running locally.",
    ...playgrounds.map((p) =>
      line(
        p.role === "admin" ? `Admin's Teams (${p.who.name}, MSP Admin):` : `Requester's Teams (${p.who.name}):`,
        p.pg.url,
      ),
    ),
    line("People tab (sign in as any mock user):", `${botUrl}/tab/`),
    line("Bot endpoint:", `${botUrl}/api/messages`),
    line("Health (alive / ready):", `${botUrl}/healthz  ${botUrl}/readyz`),
    line(config.cosmos.endpoint ? "Cosmos DB:" : "Cosmos DB (embedded, IN MEMORY: gone on stop):", cosmosEndpoint),
    "",
    `  Admins: ${admins.map((a) => a.name).join(", ") || "none of the mock users"} (INITIAL_ADMINS in env/.env.local).`,
    config.adminChannelId
      ? `  Request cards go to the "${mock.team.channels.find((c) => c.id === config.adminChannelId)?.name ?? config.adminChannelId}" channel of ${mock.team.name}.`
      : "  No ADMIN_CHANNEL_ID: an MSP Admin says 'use this channel for approvals' in a channel.",
    "  Try it: open the admin's window and its Access approvals channel first (a Playground shows only what",
    "  arrives while its page is open), then send the form in the requester's window and approve the card.",
    ...(directory ? directoryHelp(directory) : []),
    "  Press Ctrl-C to stop everything.",
    "",
  ].join("\n"),
);
