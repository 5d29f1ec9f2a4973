import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppManifestUtils } from "@microsoft/app-manifest";
import { ZipFile } from "yazl";

/** `${{NAME}}`, the toolkit's placeholder syntax in manifest.json, aad.manifest.json and teamsapp*.yml. */
export const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Placeholders that may resolve to an empty string (the production app has no name suffix). */
const MAY_BE_EMPTY = new Set(["APP_NAME_SUFFIX"]);

/** The placeholder names a template uses, each once, in order of appearance. */
export const placeholdersIn = (text: string): string[] => [
  ...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!)),
];

/** Refused: names every placeholder that has no value. */
export class UnresolvedPlaceholders extends Error {
  constructor(
    readonly names: string[],
    envName: string,
  ) {
    super(
      `appPackage/manifest.json needs values for: ${names.join(", ")}.\n` +
        `Set them in env/.env.${envName} (or env/.env.${envName}.user, or the environment); ` +
        `\`teamsapp provision --env ${envName}\` writes most of them.`,
    );
    this.name = "UnresolvedPlaceholders";
  }
}

/** Refused: the resolved manifest breaks the schema its manifestVersion names. */
export class InvalidManifest extends Error {
  constructor(readonly errors: string[]) {
    super(`appPackage/manifest.json is not valid against its schema:\n${errors.map((e) => `  - ${e}`).join("\n")}`);
    this.name = "InvalidManifest";
  }
}

/** Fills every `${{NAME}}` from `values`; throws UnresolvedPlaceholders naming all those missing or empty. */
export const resolvePlaceholders = (text: string, values: Record<string, string | undefined>, envName: string) => {
  const missing = placeholdersIn(text).filter((name) => {
    const value = values[name]?.trim();
    return value === undefined || (value === "" && !MAY_BE_EMPTY.has(name));
  });
  if (missing.length > 0) throw new UnresolvedPlaceholders(missing, envName);
  return text.replace(PLACEHOLDER, (_m, name: string) => values[name]!.trim());
};

export type BuiltPackage = { zip: Buffer; manifest: Record<string, unknown> };

/**
 * The Teams app package for one environment: the manifest with its placeholders resolved and checked against
 * the schema bundled in @microsoft/app-manifest (offline), plus the two icons it names.
 */
export const buildAppPackage = async (
  appPackageDir: string,
  values: Record<string, string | undefined>,
  envName: string,
): Promise<BuiltPackage> => {
  const manifest = JSON.parse(
    resolvePlaceholders(readFileSync(join(appPackageDir, "manifest.json"), "utf8"), values, envName),
  ) as Record<string, unknown> & { icons: { color: string; outline: string } };
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as never);
  if (errors.length > 0) throw new InvalidManifest(errors);
  const icons = [manifest.icons.color, manifest.icons.outline];
  const absent = icons.filter((icon) => !existsSync(join(appPackageDir, icon)));
  if (absent.length > 0) throw new InvalidManifest(absent.map((icon) => `icon ${icon} is not in appPackage/`));
  const files = [
    { name: "manifest.json", data: Buffer.from(JSON.stringify(manifest, null, 2) + "\n") },
    ...icons.map((icon) => ({ name: icon, data: readFileSync(join(appPackageDir, icon)) })),
  ];
  return { zip: await zip(files), manifest };
};

/** A deflated ZIP archive of the files (fixed dates, so the same input gives the same bytes). */
const zip = (files: ReadonlyArray<{ name: string; data: Buffer }>): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const archive = new ZipFile();
    for (const file of files) archive.addBuffer(file.data, file.name, { mtime: new Date(2000, 0, 1) });
    const chunks: Buffer[] = [];
    archive.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on("error", reject);
    archive.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    archive.end();
  });
