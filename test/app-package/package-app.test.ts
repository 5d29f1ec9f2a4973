import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AppManifestUtils } from "@microsoft/app-manifest";

type ZipReader = {
  on(event: "entry", listener: (entry: { fileName: string }) => void): void;
  on(event: "end" | "error", listener: (e?: Error) => void): void;
  readEntry(): void;
  openReadStream(entry: unknown, cb: (err: Error | null, stream: NodeJS.ReadableStream) => void): void;
};
type Yauzl = { fromBuffer(b: Buffer, o: { lazyEntries: boolean }, cb: (e: Error | null, z: ZipReader) => void): void };

// An independent reader: yauzl, as bundled (and exported) by playwright-core.
const { yauzl } = createRequire(import.meta.url)("playwright-core/lib/utilsBundle") as { yauzl: Yauzl };

/** Every entry of a ZIP archive, by name, read (and CRC-checked) by yauzl. */
const unzip = (data: Buffer): Promise<Map<string, Buffer>> =>
  new Promise((done, fail) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err) return fail(err);
      const files = new Map<string, Buffer>();
      zip.on("error", fail);
      zip.on("end", () => done(files));
      zip.on("entry", (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return fail(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", fail);
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });

const ROOT = resolve(".");

/** A copy of the project's app package and env templates, so a test's env files never touch the real ones. */
const project = () => {
  const dir = mkdtempSync(join(tmpdir(), "access-desk-package-"));
  cpSync(join(ROOT, "appPackage"), join(dir, "appPackage"), { recursive: true, filter: (p) => !p.includes("build") });
  cpSync(join(ROOT, "env", ".env.dev"), join(dir, "env", ".env.dev"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
};

const runPackage = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--disable-warning=DEP0111", join(ROOT, "scripts", "package-app.ts"), ...args],
      { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.once("exit", (code) => done({ code, stdout, stderr }));
  });

const provisioned = {
  TEAMS_APP_ID: "5f0c8a6e-2f3b-4c7d-9a1e-3b2c1d0e9f8a",
  BOT_ID: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
  TAB_DOMAIN: "accessdesk-web.azurewebsites.net",
  TAB_ENDPOINT: "https://accessdesk-web.azurewebsites.net",
  AAD_APP_CLIENT_ID: "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
};

describe("npm run package -- --env <name>", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const dir = project();
    dirs.push(dir);
    return dir;
  };

  it("builds appPackage/build/appPackage.<env>.zip from env/.env.<env> and its .user file, valid offline", async () => {
    const dir = fresh();
    const { TAB_DOMAIN, TAB_ENDPOINT, ...rest } = provisioned;
    // As provision leaves them: ids in env/.env.dev (appended), the tab's host in the .user file.
    writeFileSync(
      join(dir, "env", ".env.dev"),
      readFileSync(join(dir, "env", ".env.dev"), "utf8") +
        Object.entries(rest)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
    );
    writeFileSync(join(dir, "env", ".env.dev.user"), `TAB_DOMAIN=${TAB_DOMAIN}\nTAB_ENDPOINT=${TAB_ENDPOINT}\n`);
    const run = await runPackage(dir, ["--env", "dev"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /appPackage\/build\/appPackage\.dev\.zip/);

    const files = await unzip(readFileSync(join(dir, "appPackage", "build", "appPackage.dev.zip")));
    assert.deepEqual([...files.keys()].sort(), ["color.png", "manifest.json", "outline.png"]);
    assert.deepEqual(files.get("color.png"), readFileSync(join(ROOT, "appPackage", "color.png")));
    assert.deepEqual(files.get("outline.png"), readFileSync(join(ROOT, "appPackage", "outline.png")));
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
    assert.equal(manifest.id, provisioned.TEAMS_APP_ID);
    assert.equal(manifest.bots[0].botId, provisioned.BOT_ID);
    assert.equal(manifest.name.short, "Access Desk-dev");
    assert.deepEqual(manifest.validDomains, [TAB_DOMAIN]);
    assert.equal(manifest.staticTabs[0].contentUrl, `${TAB_ENDPOINT}/tab/#/people`);
    assert.equal(manifest.webApplicationInfo.resource, `api://${TAB_DOMAIN}/${provisioned.AAD_APP_CLIENT_ID}`);
    assert.deepEqual(await AppManifestUtils.validateAgainstSchema(manifest), []);
  });

  it("takes values from the environment too, and writes where --out says", async () => {
    const dir = fresh();
    const run = await runPackage(dir, ["--env", "dev", "--out", "out"], provisioned);
    assert.equal(run.code, 0, run.stderr);
    const files = await unzip(readFileSync(join(dir, "out", "appPackage.dev.zip")));
    assert.equal(JSON.parse(files.get("manifest.json")!.toString()).id, provisioned.TEAMS_APP_ID);
  });

  it("refuses, naming each one, when placeholders have no value, and writes nothing", async () => {
    const dir = fresh();
    const run = await runPackage(dir, ["--env", "dev"], { TEAMS_APP_ID: provisioned.TEAMS_APP_ID });
    assert.equal(run.code, 65);
    assert.match(run.stderr, /needs values for: BOT_ID, TAB_ENDPOINT, TAB_DOMAIN, AAD_APP_CLIENT_ID\./);
    assert.match(run.stderr, /env\/\.env\.dev/);
    assert.throws(() => readFileSync(join(dir, "appPackage", "build", "appPackage.dev.zip")), /ENOENT/);
  });

  it("refuses a manifest that breaks its schema, saying where", async () => {
    const dir = fresh();
    const run = await runPackage(dir, ["--env", "dev"], { ...provisioned, BOT_ID: "not-a-guid" });
    assert.equal(run.code, 65);
    assert.match(run.stderr, /not valid against its schema/);
    assert.match(run.stderr, /botId/);
    assert.throws(() => readFileSync(join(dir, "appPackage", "build", "appPackage.dev.zip")), /ENOENT/);
  });

  it("asks which environment when --env is missing", async () => {
    const run = await runPackage(fresh(), []);
    assert.equal(run.code, 64);
    assert.match(run.stderr, /--env <name>/);
  });
});
