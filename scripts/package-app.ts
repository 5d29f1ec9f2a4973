import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { childEnvironment, resolveEnv } from "../src/config.js";
import { buildAppPackage, InvalidManifest, UnresolvedPlaceholders } from "./lib/app-package.js";

/**
 * `npm run package -- --env dev`: the Teams app package for one environment, offline, as the toolkit's
 * zipAppPackage builds it: values from env/.env.<env>, then env/.env.<env>.user, then the environment.
 * Writes appPackage/build/appPackage.<env>.zip (and the resolved manifest.<env>.json beside it).
 */
const usage = "Usage: npm run package -- --env <name> [--out <folder>]   (e.g. --env dev)";

const { values } = parseArgs({
  options: { env: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const envName = values.env ?? "";
if (!/^[a-z][a-z0-9-]*$/.test(envName)) {
  console.error(`Say which environment's values to use.\n${usage}`);
  process.exit(64);
}

const outDir = values.out ?? join("appPackage", "build");
try {
  const vars = resolveEnv({ env: childEnvironment({ APP_ENV: envName }) });
  const built = await buildAppPackage("appPackage", vars, envName);
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `appPackage.${envName}.zip`);
  writeFileSync(zipPath, built.zip);
  writeFileSync(join(outDir, `manifest.${envName}.json`), JSON.stringify(built.manifest, null, 2) + "\n");
  console.log(`Teams app package for "${envName}": ${relative(process.cwd(), zipPath) || zipPath}`);
  console.log("Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center.");
} catch (e) {
  if (!(e instanceof UnresolvedPlaceholders) && !(e instanceof InvalidManifest)) throw e;
  console.error(`No app package built.\n${e.message}`);
  process.exit(65);
}
