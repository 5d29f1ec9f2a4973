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
