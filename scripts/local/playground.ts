import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { childEnvironment } from "../../src/config.js";

/** The Playground's mock data file (schema 0.1.1). */
export type MockUser = {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
};
export type PlaygroundConfig = {
  version: string;
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: MockUser;
  users: MockUser[];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  team: { id: string; name: string; aadGroupId: string; channels: Array<{ id: string; name: string }> };
};

export const PROJECT_PLAYGROUND_CONFIG = ".m365agentsplayground.yml";

export const readPlaygroundConfig = (path = PROJECT_PLAYGROUND_CONFIG): PlaygroundConfig =>
  parse(readFileSync(path, "utf8")) as PlaygroundConfig;

/** Everyone in the mock tenant (the Playground's current user included). */
export const everyone = (config: PlaygroundConfig): MockUser[] => [config.currentUser, ...config.users];

/**
 * The same mock tenant with another person as the Playground's current user (the only one who can
 * type in its chats) and their own personal chat with the bot.
 */
export const withCurrentUser = (config: PlaygroundConfig, aadObjectId: string): PlaygroundConfig => {
  const all = everyone(config);
  const current = all.find((u) => u.aadObjectId === aadObjectId);
  if (!current) throw new Error(`No mock user with object id ${aadObjectId} in the Playground config`);
  return {
    ...config,
    currentUser: current,
    users: all.filter((u) => u !== current),
    personalChat: { id: `a:personal-${current.id.replace(/^29:/, "")}` },
  };
};

/** Writes a Playground config to a temporary file and returns its path. */
export const writePlaygroundConfig = (config: PlaygroundConfig, name: string): string => {
  const path = join(tmpdir(), `access-desk-playground-${name}-${process.pid}.yml`);
  writeFileSync(path, stringify(config));
  return path;
};

const require = createRequire(import.meta.url);
const cliPath = () => join(dirname(require.resolve("@microsoft/m365agentsplayground/package.json")), "cli.js");

export type RunningPlayground = { process: ChildProcess; port: number; url: string; stop(): Promise<void> };

/**
 * Starts the Microsoft 365 Agents Playground against a bot endpoint, offline, without opening a
 * browser, and resolves once it listens (with the port it really took: it falls back to a random one).
 */
export const startPlayground = (options: {
  botEndpoint: string;
  port: number;
  configPath: string;
  logFile: string;
  onOutput?: (line: string) => void;
}): Promise<RunningPlayground> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cliPath(), "-e", options.botEndpoint, "-c", "msteams", "-p", String(options.port), "--disable-telemetry"],
      {
        env: childEnvironment({
          TEAMSAPPTESTER_BROWSER: "none",
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath,
          M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile,
          NODE_NO_WARNINGS: "1",
        }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let settled = false;
    const timer = setTimeout(() => fail(new Error("the Agents Playground did not start within 60 s")), 60_000);
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      });
    const onLine = (line: string) => {
      options.onOutput?.(line);
      const m = /Listening on (\d+)/.exec(line);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ process: child, port, url: `http://127.0.0.1:${port}`, stop });
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffer = "";
      stream.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`the Agents Playground exited (code ${code}) before it listened`)));
  });
