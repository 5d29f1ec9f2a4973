import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage, Server } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { generate } from "selfsigned";
import { EMBEDDED_COSMOS_KEY } from "../../src/store/embedded-cosmos.js";
import { embeddedCosmos } from "../helpers/cosmos.js";
import { freePort } from "../helpers/net.js";

const ROOT = resolve(".");
const PKG = JSON.parse(readFileSync("package.json", "utf8")) as {
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** Runs a command to completion; rejects with its output when it fails. */
const run = (command: string, args: string[]) =>
  new Promise<void>((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c));
    child.stderr.on("data", (c: Buffer) => (output += c));
    child.once("exit", (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(" ")}:\n${output}`))));
  });

type Started = { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> };

/** `npm run start:prod` in the built folder, with only the given settings, as App Service starts it. */
const startProd = (cwd: string, env: Record<string, string>): Started => {
  const child = spawn("npm", ["run", "-s", "start:prod"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // A process group of its own (npm, its shell, node), so a stop reaches the app as a terminal's would.
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c));
  child.stderr!.on("data", (c: Buffer) => (err += c));
  // "close": npm and the node process it started have both ended and their output is complete.
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
};

/** Polls until `check` returns a value (the process may still be starting); fails if the process ends. */
const until = async <T>(what: string, started: Started, check: () => Promise<T | undefined>): Promise<T> => {
  for (let i = 0; i < 600; i++) {
    if (started.child.exitCode !== null)
      throw new Error(
        `the app exited (${started.child.exitCode}) before ${what}:\n${started.stderr()}${started.stdout()}`,
      );
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
};

/** SIGTERM, as App Service sends it (npm passes it on); resolves with what the app said on its way out. */
const stop = async (started: Started) => {
  try {
    process.kill(-started.child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
  await started.exited;
  return started.stderr() + started.stdout();
};

const DIRECTORY = "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b";

describe("Production start (npm run build, then npm run start:prod)", function () {
  this.timeout(300_000);
  let built: string;
  let cosmosEndpoint: string;

  /** The settings App Service passes (infra/azure.bicep), pointed at the embedded store for the test. */
  const production = (port: number): Record<string, string> => ({
    APP_ENV: "dev",
    HOST: "127.0.0.1",
    PORT: String(port),
    BOT_ID: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    BOT_PASSWORD: "a-client-secret",
    BOT_TYPE: "SingleTenant",
    BOT_TENANT_ID: DIRECTORY,
    COSMOS_ENDPOINT: cosmosEndpoint,
    COSMOS_KEY: EMBEDDED_COSMOS_KEY,
    COSMOS_DATABASE: `prod-${randomUUID()}`,
    TAB_CLIENT_ID: "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ALLOWED_DIRECTORY_IDS: DIRECTORY,
    INITIAL_ADMINS: "admin@contoso.example",
    LOG_FORMAT: "json",
  });

  before(async () => {
    // The real build, into a folder of its own: compiled JavaScript and the tab's files, nothing else of ours.
    built = mkdtempSync(join(tmpdir(), "access-desk-prod-"));
    await run(process.execPath, [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(built, "dist"),
    ]);
    await run(process.execPath, [
      join(ROOT, "node_modules/vite/bin/vite.js"),
      "build",
      "--config",
      "web/vite.config.ts",
      "--logLevel",
      "warn",
      "--outDir",
      join(built, "web", "dist"),
      "--emptyOutDir",
    ]);
    copyFileSync("package.json", join(built, "package.json"));
    symlinkSync(join(ROOT, "node_modules"), join(built, "node_modules"));
    cosmosEndpoint = (await embeddedCosmos()).endpoint;
  });
  after(() => rmSync(built, { recursive: true, force: true }));

  it("imports only production dependencies at run time (no tsx, no pino-pretty, no test servers)", () => {
    const files = readdirSync(join(built, "dist"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".js"),
    );
    assert.ok(files.includes("main.js"));
    const allowedDynamic = new Map([["@vercel/cosmosdb-server", "store/embedded-cosmos.js"]]);
    for (const file of files) {
      const text = readFileSync(join(built, "dist", file), "utf8");
      const specifiers = [
        ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)";/gms),
        ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
      ].map((m) => m[1]!);
      assert.ok(file !== "main.js" || specifiers.length >= 3, "the scan finds imports");
      for (const spec of specifiers) {
        if (spec.startsWith(".")) continue;
        if (spec.startsWith("node:")) continue;
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (allowedDynamic.get(pkg) === file) continue; // local mode only, loaded on demand
        assert.ok(pkg in PKG.dependencies, `dist/${file} imports ${pkg}, which is not a production dependency`);
      }
    }
    assert.doesNotMatch(PKG.scripts["start:prod"]!, /tsx/);
  });

  it("starts with production settings: ready, the tab served, bot auth on, JSON logs on stdout", async () => {
    const port = await freePort();
    const app = startProd(built, production(port));
    const url = `http://127.0.0.1:${port}`;
    try {
      const ready = await until("/readyz answers 200", app, async () => {
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
      });
      assert.equal(ready.status, "ready");

      const tab = await fetch(`${url}/tab/`);
      assert.equal(tab.status, 200);
      assert.match(await tab.text(), /<script type="module"/);
      assert.match(
        tab.headers.get("content-security-policy") ?? "",
        /frame-ancestors 'self' https:\/\/teams\.microsoft\.com/,
      );
      const auth = (await (await fetch(`${url}/api/auth/config`)).json()) as { mode: string; audience: string };
      assert.deepEqual(auth, { mode: "teams-sso", audience: "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" });
      assert.equal((await fetch(`${url}/dev/jwks.json`)).status, 404, "no dev sign-in");

      const anonymous = await fetch(`${url}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          type: "message",
          text: "hi",
          channelId: "msteams",
          serviceUrl: "https://smba.trafficmanager.net/emea/",
        }),
      });
      assert.equal(anonymous.status, 401, "an activity without a Bot Framework token is refused");

      const listening = await until("the start-up log line", app, async () =>
        app.stdout().includes("Access Desk is listening") ? app.stdout() : undefined,
      );
      const lines = listening.split("\n").filter(Boolean);
      for (const line of lines) {
        const record = JSON.parse(line) as { level: number; msg: string; app: string; time: number };
        assert.equal(record.app, "access-desk");
        assert.equal(typeof record.level, "number");
      }
      const start = lines.map((l) => JSON.parse(l)).find((r) => r.msg === "Access Desk is listening");
      assert.equal(start.mode, "dev");
      assert.equal(start.botAuth, "on");
      assert.equal(start.tabSignIn, "Teams SSO");
    } finally {
      assert.match(await stop(app), /Access Desk stopped \(SIGTERM\)/);
    }
  });

  it("refuses to start without the bot's credentials, naming them (exit code 78)", async () => {
    const { BOT_ID: _id, BOT_PASSWORD: _password, ...anonymous } = production(await freePort());
    const app = startProd(built, anonymous);
    assert.equal(await app.exited, 78);
    assert.match(app.stderr(), /Access Desk cannot start/);
    assert.match(
      app.stderr(),
      /BOT_ID: is required outside local mode \(APP_ENV=dev\): anonymous bot access is allowed only locally/,
    );

    const { BOT_PASSWORD: _p, ...noSecret } = production(await freePort());
    const second = startProd(built, noSecret);
    assert.equal(await second.exited, 78);
    assert.match(second.stderr(), /BOT_PASSWORD: is required with BOT_ID when BOT_TYPE is SingleTenant/);
  });

  it("refuses the dev sign-in and human-readable logs outside local mode (exit code 78)", async () => {
    const app = startProd(built, {
      ...production(await freePort()),
      DEV_SIGN_IN_USERS: ".m365agentsplayground.yml",
      LOG_FORMAT: "pretty",
    });
    assert.equal(await app.exited, 78);
    assert.match(app.stderr(), /DEV_SIGN_IN_USERS: the dev sign-in exists only in local mode/);
    assert.match(app.stderr(), /LOG_FORMAT: pretty is for local mode only/);
  });

  describe("with APPLICATIONINSIGHTS_CONNECTION_STRING", () => {
    let ingestion: Server;
    const envelopes: Array<{ name: string; data?: { baseData?: Record<string, unknown> } }> = [];
    let ingestionUrl: string;

    const body = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      return (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
    };

    let caFile: string;

    before(async () => {
      // A stand-in for Application Insights' ingestion endpoint: it accepts every item, as Breeze answers.
      // HTTPS, as the exporter speaks only TLS; the app trusts the stand-in's certificate via NODE_EXTRA_CA_CERTS.
      const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
          { name: "basicConstraints", cA: true },
          { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
        ],
      });
      caFile = join(built, "ingestion-ca.pem");
      writeFileSync(caFile, pems.cert);
      ingestion = createServer({ key: pems.private, cert: pems.cert }, async (req, res) => {
        const text = await body(req);
        if (req.method === "POST" && req.url?.startsWith("/v2.1/track")) {
          const items = text.trim().startsWith("[")
            ? (JSON.parse(text) as typeof envelopes)
            : text
                .split("\n")
                .filter(Boolean)
                .map((l) => JSON.parse(l) as (typeof envelopes)[number]);
          envelopes.push(...items);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => ingestion.listen(0, "127.0.0.1", () => r()));
      ingestionUrl = `https://127.0.0.1:${(ingestion.address() as AddressInfo).port}/`;
    });
    after(() => new Promise<void>((r) => ingestion.close(() => r())));

    it("sends the bot endpoint's requests and the log records to Application Insights through OpenTelemetry", async () => {
      const port = await freePort();
      const app = startProd(built, {
        ...production(port),
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=${ingestionUrl}`,
        NODE_EXTRA_CA_CERTS: caFile,
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await until("/readyz answers 200", app, async () =>
          (await fetch(`${url}/readyz`)).status === 200 ? true : undefined,
        );
        const knock = async () => {
          const res = await fetch(`${url}/api/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ type: "message", text: "hi" }),
          });
          assert.equal(res.status, 401);
        };
        await knock();

        // The exporter batches for a few seconds (and samples up to 5 traces a second): poll the stand-in.
        let polls = 0;
        const request = await until("a request item for /api/messages", app, async () => {
          const found = envelopes.find(
            (e) => e.name.endsWith("Request") && String(e.data?.baseData?.url ?? "").includes("/api/messages"),
          );
          if (!found && ++polls % 25 === 0) await knock();
          return found;
        });
        assert.equal(String(request.data!.baseData!.responseCode), "401");
        const log = await until("the start-up log record", app, async () =>
          envelopes.find(
            (e) =>
              e.name.endsWith("Message") &&
              String(e.data?.baseData?.message ?? "").includes("Access Desk is listening"),
          ),
        );
        assert.match(String(log.data!.baseData!.message), /^\{"level":30/);
        // stdout keeps the same JSON lines (the Azure SDK's own warnings, which the distro turns on, are plain text).
        const lines = app
          .stdout()
          .split("\n")
          .filter((l) => l.startsWith("{"));
        assert.ok(lines.some((l) => JSON.parse(l).msg === "Access Desk is listening"));
      } finally {
        assert.match(await stop(app), /Access Desk stopped \(SIGTERM\)/);
      }
    });
  });
});
