import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "./config.js";

const DIRECTORY = "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b";
const BOT = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const minimal = { ALLOWED_DIRECTORY_IDS: DIRECTORY, INITIAL_ADMINS: "meganb@contoso.example" };
const cloud = {
  ...minimal,
  APP_ENV: "prod",
  COSMOS_ENDPOINT: "https://x.documents.azure.com:443/",
  TAB_CLIENT_ID: BOT,
};

const refusedNaming =
  (...keys: string[]) =>
  (e: unknown) =>
    e instanceof ConfigError &&
    keys.every((k) => e.problems.some((p) => p.startsWith(`${k}:`))) &&
    e.problems.length === keys.length;

describe("configuration", () => {
  it("defaults to local mode on loopback with the documented ports", () => {
    const c = loadConfig({ files: false, env: minimal });
    assert.equal(c.local, true);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 3978);
    assert.equal(c.playgroundPort, 56150);
    assert.equal(c.bot.id, null);
    assert.equal(c.cosmos.endpoint, null);
    assert.equal(c.cosmos.database, "access-desk");
    assert.deepEqual(c.initialAdmins, ["meganb@contoso.example"]);
    assert.equal(c.bot.tenantId, DIRECTORY, "the bot's tenant defaults to the MSP's directory");
  });

  it("names every missing or bad value at once", () => {
    assert.throws(
      () => loadConfig({ files: false, env: {} }),
      refusedNaming("ALLOWED_DIRECTORY_IDS", "INITIAL_ADMINS"),
    );
    assert.throws(
      () =>
        loadConfig({
          files: false,
          env: { ...minimal, PORT: "eighty", ALLOWED_DIRECTORY_IDS: "contoso", INITIAL_ADMINS: "not an id" },
        }),
      refusedNaming("PORT", "ALLOWED_DIRECTORY_IDS", "INITIAL_ADMINS"),
    );
    assert.throws(
      () => loadConfig({ files: false, env: { ...minimal, COSMOS_ENDPOINT: "http://cosmos.example.com" } }),
      refusedNaming("COSMOS_ENDPOINT"),
    );
    assert.throws(
      () => loadConfig({ files: false, env: { ...minimal, BOT_TYPE: "Anonymous" } }),
      refusedNaming("BOT_TYPE"),
    );
  });

  it("refuses to start without bot credentials outside local mode", () => {
    assert.throws(() => loadConfig({ files: false, env: cloud }), refusedNaming("BOT_ID"));
    assert.throws(() => loadConfig({ files: false, env: { ...cloud, BOT_ID: BOT } }), refusedNaming("BOT_PASSWORD"));
    const msi = loadConfig({ files: false, env: { ...cloud, BOT_ID: BOT, BOT_TYPE: "UserAssignedMsi" } });
    assert.equal(msi.local, false);
    assert.equal(msi.host, "0.0.0.0");
    assert.equal(msi.logFormat, "json");
  });

  it("checks the People tab's tokens against Entra ID in the cloud, and offers the dev sign-in only locally", () => {
    const msi = { ...cloud, BOT_ID: BOT, BOT_TYPE: "UserAssignedMsi" };
    const { TAB_CLIENT_ID: _, ...withoutTab } = msi;
    assert.throws(() => loadConfig({ files: false, env: withoutTab }), refusedNaming("TAB_CLIENT_ID"));
    const c = loadConfig({ files: false, env: msi });
    assert.deepEqual(c.tab, {
      audiences: [BOT],
      issuer: "https://login.microsoftonline.com/{tid}/v2.0",
      jwksUrl: "https://login.microsoftonline.com/common/discovery/v2.0/keys",
      devUsersFile: null,
    });
    assert.throws(
      () => loadConfig({ files: false, env: { ...msi, DEV_SIGN_IN_USERS: "users.yml" } }),
      refusedNaming("DEV_SIGN_IN_USERS"),
    );
    assert.throws(
      () => loadConfig({ files: false, env: { ...msi, TAB_ISSUER: "https://login.example/common" } }),
      refusedNaming("TAB_ISSUER"),
    );
    const local = loadConfig({ files: false, env: minimal });
    assert.equal(local.tab.issuer, null, "locally the dev sign-in issues the tokens");
    assert.equal(local.tab.devUsersFile, ".m365agentsplayground.yml");
  });

  it("never exposes anonymous bot access beyond loopback", () => {
    assert.throws(() => loadConfig({ files: false, env: { ...minimal, HOST: "0.0.0.0" } }), refusedNaming("HOST"));
    assert.equal(
      loadConfig({ files: false, env: { ...minimal, HOST: "0.0.0.0", BOT_ID: BOT, BOT_PASSWORD: "s" } }).host,
      "0.0.0.0",
    );
  });

  it("reads env/.env.<APP_ENV>, then its .user file, then the process environment, each overriding the last", () => {
    const dir = mkdtempSync(join(tmpdir(), "access-desk-config-"));
    mkdirSync(join(dir, "env"));
    writeFileSync(
      join(dir, "env", ".env.local"),
      `PORT=4000\nPLAYGROUND_PORT=4100\nALLOWED_DIRECTORY_IDS=${DIRECTORY}\nINITIAL_ADMINS=a@contoso.example\n`,
    );
    writeFileSync(join(dir, "env", ".env.local.user"), "PLAYGROUND_PORT=4200\n");
    const c = loadConfig({ cwd: dir, env: { PORT: "5000" } });
    assert.equal(c.port, 5000);
    assert.equal(c.playgroundPort, 4200);
    assert.deepEqual(c.allowedDirectoryIds, [DIRECTORY]);
  });

  it("accepts the committed local settings as they are", () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.local, true);
    assert.ok(c.adminChannelId, "the local admins channel is named");
  });

  describe("directory sync", () => {
    const APP = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

    it("is off without Graph credentials, and on with a client secret, every 60 minutes, against the public cloud", () => {
      const off = loadConfig({ files: false, env: minimal }).directorySync;
      assert.equal(off.auth, null);
      assert.equal(off.everyMinutes, 60);
      const on = loadConfig({
        files: false,
        env: { ...minimal, GRAPH_CLIENT_ID: APP.toUpperCase(), GRAPH_CLIENT_SECRET: "s3cret" },
      }).directorySync;
      assert.deepEqual(on.auth, { kind: "client-secret", clientId: APP, secret: "s3cret" });
      assert.equal(on.graphEndpoint, "https://graph.microsoft.com");
      assert.equal(on.authorityHost, "https://login.microsoftonline.com");
      assert.equal(on.caPem, null);
    });

    it("is off with DIRECTORY_SYNC_EVERY_MINUTES=0 even with credentials", () => {
      const c = loadConfig({
        files: false,
        env: { ...minimal, GRAPH_CLIENT_ID: APP, GRAPH_CLIENT_SECRET: "s3cret", DIRECTORY_SYNC_EVERY_MINUTES: "0" },
      });
      assert.equal(c.directorySync.auth, null);
      assert.equal(c.directorySync.everyMinutes, 0);
    });

    it("signs in with a managed identity (system- or user-assigned), never with a secret beside it", () => {
      const system = loadConfig({ files: false, env: { ...minimal, GRAPH_AUTH: "managed-identity" } });
      assert.deepEqual(system.directorySync.auth, { kind: "managed-identity", clientId: null });
      const user = loadConfig({
        files: false,
        env: { ...minimal, GRAPH_AUTH: "managed-identity", GRAPH_CLIENT_ID: APP },
      });
      assert.deepEqual(user.directorySync.auth, { kind: "managed-identity", clientId: APP });
      assert.throws(
        () =>
          loadConfig({
            files: false,
            env: { ...minimal, GRAPH_AUTH: "managed-identity", GRAPH_CLIENT_SECRET: "s3cret" },
          }),
        refusedNaming("GRAPH_CLIENT_SECRET"),
      );
    });

    it("names each bad setting", () => {
      const bad = (env: Record<string, string>, ...keys: string[]) =>
        assert.throws(() => loadConfig({ files: false, env: { ...minimal, ...env } }), refusedNaming(...keys));
      bad({ GRAPH_CLIENT_SECRET: "s3cret" }, "GRAPH_CLIENT_ID");
      bad({ GRAPH_CLIENT_ID: APP }, "GRAPH_CLIENT_SECRET");
      bad({ GRAPH_CLIENT_ID: "graph-app", GRAPH_CLIENT_SECRET: "s3cret" }, "GRAPH_CLIENT_ID");
      bad({ GRAPH_AUTH: "certificate" }, "GRAPH_AUTH");
      bad({ DIRECTORY_SYNC_EVERY_MINUTES: "-5" }, "DIRECTORY_SYNC_EVERY_MINUTES");
      bad({ DIRECTORY_SYNC_EVERY_MINUTES: "hourly" }, "DIRECTORY_SYNC_EVERY_MINUTES");
      bad({ GRAPH_ENDPOINT: "http://graph.example.com" }, "GRAPH_ENDPOINT");
      bad({ GRAPH_ENDPOINT: "graph.microsoft.com" }, "GRAPH_ENDPOINT");
      bad({ ENTRA_AUTHORITY_HOST: "http://127.0.0.1:4000" }, "ENTRA_AUTHORITY_HOST");
      bad({ GRAPH_CA_FILE: "no-such-file.pem" }, "GRAPH_CA_FILE");
    });

    it("takes a loopback Graph stand-in over http, a stand-in authority over https, and an extra CA from a PEM file", () => {
      const dir = mkdtempSync(join(tmpdir(), "access-desk-ca-"));
      writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
      writeFileSync(join(dir, "not-a-cert.pem"), "hello");
      const c = loadConfig({
        files: false,
        cwd: dir,
        env: {
          ...minimal,
          GRAPH_ENDPOINT: "http://127.0.0.1:4010/",
          ENTRA_AUTHORITY_HOST: "https://127.0.0.1:4020",
          GRAPH_CA_FILE: "ca.pem",
        },
      });
      assert.equal(c.directorySync.graphEndpoint, "http://127.0.0.1:4010");
      assert.equal(c.directorySync.authorityHost, "https://127.0.0.1:4020");
      assert.match(c.directorySync.caPem ?? "", /BEGIN CERTIFICATE/);
      assert.throws(
        () => loadConfig({ files: false, cwd: dir, env: { ...minimal, GRAPH_CA_FILE: "not-a-cert.pem" } }),
        refusedNaming("GRAPH_CA_FILE"),
      );
    });
  });
});
