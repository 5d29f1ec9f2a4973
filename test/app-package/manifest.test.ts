import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { AppManifestUtils } from "@microsoft/app-manifest";

type Png = { width: number; height: number; colorType: number; pixels: Buffer };

/** Decodes an 8-bit RGBA, non-interlaced PNG (the format of our icons) to raw pixels. */
const readPng = (path: string): Png => {
  const data = readFileSync(path);
  assert.equal(data.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", `${path} is a PNG`);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString("ascii");
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      colorType = body[9]!;
      assert.equal(body[8], 8, "8-bit channels");
      assert.equal(body[12], 0, "not interlaced");
    }
    if (type === "IDAT") idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    assert.equal(filter, 0, "unfiltered rows (as written)");
    raw.copy(pixels, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { width, height, colorType, pixels };
};

const manifest = () => JSON.parse(readFileSync("appPackage/manifest.json", "utf8"));

/** The manifest with its ${{VAR}} placeholders filled as the toolkit would. */
const resolved = () =>
  JSON.parse(
    readFileSync("appPackage/manifest.json", "utf8")
      .replaceAll("${{TEAMS_APP_ID}}", "5f0c8a6e-2f3b-4c7d-9a1e-3b2c1d0e9f8a")
      .replaceAll("${{BOT_ID}}", "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6")
      .replaceAll("${{APP_NAME_SUFFIX}}", "-local")
      .replaceAll("${{TAB_ENDPOINT}}", "https://accessdesk.example.net")
      .replaceAll("${{TAB_DOMAIN}}", "accessdesk.example.net")
      .replaceAll("${{AAD_APP_CLIENT_ID}}", "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
  );

describe("Teams app package", () => {
  it("is valid against the manifest schema bundled with @microsoft/app-manifest (offline)", async () => {
    const errors = await AppManifestUtils.validateAgainstSchema(resolved());
    assert.deepEqual(errors, []);
  });

  it("declares the bot for personal chats and teams, with the commands people type", () => {
    const [bot] = manifest().bots;
    assert.deepEqual([...bot.scopes].sort(), ["personal", "team"]);
    const personal = bot.commandLists.find((l: { scopes: string[] }) => l.scopes.includes("personal"));
    assert.deepEqual(
      personal.commands.map((c: { title: string }) => c.title),
      ["help", "request access", "status", "cancel", "pending"],
    );
    const team = bot.commandLists.find((l: { scopes: string[] }) => l.scopes.includes("team"));
    assert.ok(team.commands.some((c: { title: string }) => c.title === "use this channel for approvals"));
  });

  it("declares the People tab for personal use and as a team tab, with Teams SSO for the tab's API", () => {
    const m = resolved();
    assert.equal(m.staticTabs[0].name, "People");
    assert.deepEqual(m.staticTabs[0].scopes, ["personal"]);
    assert.match(m.staticTabs[0].contentUrl, /^https:\/\/accessdesk\.example\.net\/tab\//);
    assert.deepEqual(m.configurableTabs[0].scopes, ["team"]);
    assert.equal(m.webApplicationInfo.id, "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    assert.equal(m.webApplicationInfo.resource, "api://accessdesk.example.net/7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    assert.deepEqual(m.validDomains, ["accessdesk.example.net"]);
  });

  it("has a 192×192 colour icon and a 32×32 outline icon that is white on transparent", () => {
    const color = readPng("appPackage/color.png");
    assert.deepEqual([color.width, color.height], [192, 192]);
    const outline = readPng("appPackage/outline.png");
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    assert.equal(outline.colorType, 6, "RGBA");
    let transparent = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = [outline.pixels[i]!, outline.pixels[i + 1]!, outline.pixels[i + 2]!, outline.pixels[i + 3]!];
      if (a === 0) transparent++;
      else assert.deepEqual([r, g, b], [255, 255, 255], "outline pixels are white");
    }
    assert.ok(transparent > 32 * 32 * 0.3, "the background is transparent");
  });
});

/** Keys an env template assigns (`KEY=`), and the SECRET_ keys its comments name (their values live in .user files). */
const documentedKeys = (path: string): Set<string> => {
  const text = readFileSync(path, "utf8");
  const keys = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
  const secrets = [...text.matchAll(/^#.*?\b(SECRET_[A-Z0-9_]+)/gm)].map((m) => m[1]!);
  return new Set([...keys, ...secrets]);
};

const placeholders = (path: string) => [
  ...new Set([...readFileSync(path, "utf8").matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!)),
];

describe("Toolkit environments", () => {
  const forDev = ["appPackage/manifest.json", "aad.manifest.json", "teamsapp.yml", "infra/azure.parameters.json"];
  const forLocal = ["appPackage/manifest.json", "aad.manifest.json", "teamsapp.local.yml"];

  it("documents in env/.env.dev every ${{VAR}} that the Azure lifecycle uses", () => {
    const known = documentedKeys("env/.env.dev");
    const missing = forDev.flatMap((f) =>
      placeholders(f)
        .filter((v) => !known.has(v))
        .map((v) => `${f}: ${v}`),
    );
    assert.deepEqual(missing, []);
    assert.ok(placeholders("teamsapp.yml").includes("AZURE_WEB_APP_RESOURCE_ID"), "the scan sees teamsapp.yml");
  });

  it("documents in env/.env.local every ${{VAR}} that debugging in Teams uses", () => {
    const known = documentedKeys("env/.env.local");
    const missing = forLocal.flatMap((f) =>
      placeholders(f)
        .filter((v) => !known.has(v))
        .map((v) => `${f}: ${v}`),
    );
    assert.deepEqual(missing, []);
    assert.ok(placeholders("teamsapp.local.yml").includes("BOT_ENDPOINT"));
  });

  it("documents every key of the env templates with a comment, and keeps secrets out of them", () => {
    for (const path of ["env/.env.dev", "env/.env.local"]) {
      const lines = readFileSync(path, "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!/^[A-Z]/.test(line)) return;
        // A key belongs to a block of keys under a comment: walk up past the other keys.
        let j = i - 1;
        while (j >= 0 && /^[A-Z]/.test(lines[j]!)) j--;
        assert.ok(j >= 0 && lines[j]!.startsWith("#"), `${path}:${i + 1} ${line} has no comment above its block`);
        assert.doesNotMatch(line, /^SECRET_/, `${path}: secrets belong in the ignored .user file`);
      });
    }
    const ignored = readFileSync(".gitignore", "utf8");
    assert.match(ignored, /^env\/\.env\.\*\.user$/m);
    assert.match(ignored, /^\.localConfigs/m);
  });

  it("writes every variable the manifests need before they are used, in provision order", () => {
    // Values an action writes are known to the actions after it; the rest come from the env template.
    const yml = readFileSync("teamsapp.yml", "utf8");
    const provision = yml.slice(yml.indexOf("provision:"), yml.indexOf("\ndeploy:"));
    const position = (text: string) => provision.indexOf(text);
    assert.ok(
      position("uses: arm/deploy") < position("uses: aadApp/update"),
      "the tab's host exists before aadApp/update",
    );
    assert.ok(
      position("uses: aadApp/create") < position("uses: arm/deploy"),
      "the tab's client id exists before arm/deploy",
    );
    assert.ok(
      position("uses: botAadApp/create") < position("uses: arm/deploy"),
      "the bot's id exists before arm/deploy",
    );
    assert.ok(position("uses: teamsApp/zipAppPackage") < position("uses: teamsApp/validateAppPackage"));
    assert.ok(position("uses: teamsApp/validateAppPackage") < position("uses: teamsApp/update"));
  });
});

describe("People tab's Entra app (aad.manifest.json)", () => {
  const aad = () => JSON.parse(readFileSync("aad.manifest.json", "utf8"));

  it("exposes access_as_user under api://<tab host>/<client id>, for v2 tokens", () => {
    const app = aad();
    assert.deepEqual(app.identifierUris, ["api://${{TAB_DOMAIN}}/${{AAD_APP_CLIENT_ID}}"]);
    assert.equal(app.api.requestedAccessTokenVersion, 2);
    const [scope] = app.api.oauth2PermissionScopes;
    assert.equal(scope.value, "access_as_user");
    assert.equal(scope.id, "${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}");
    assert.equal(scope.type, "User");
    // The app manifest's webApplicationInfo.resource is the same URI.
    assert.equal(manifest().webApplicationInfo.resource, app.identifierUris[0]);
  });

  it("lets the Teams desktop, mobile and web clients ask for tab tokens without a consent prompt", () => {
    const pre = aad().api.preAuthorizedApplications as Array<{ appId: string; delegatedPermissionIds: string[] }>;
    for (const client of ["1fec8e78-bce4-4aaf-ab1b-5451cc387264", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"]) {
      const entry = pre.find((p) => p.appId === client);
      assert.ok(entry, `Teams client ${client} is pre-authorized`);
      assert.deepEqual(entry.delegatedPermissionIds, ["${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}"]);
    }
  });
});
