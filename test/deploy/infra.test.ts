import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config.js";
import { INDEXING_POLICY, PARTITION_KEY_PATH } from "../../src/store/cosmos-container.js";
import { bodyOf, declarations, Expr, resources, type BicepValue } from "../helpers/bicep.js";

// No Bicep CLI runs offline here: the template is read as text, and checked against the code it deploys.
const BICEP = readFileSync("infra/azure.bicep", "utf8");
const PARAMETERS = JSON.parse(readFileSync("infra/azure.parameters.json", "utf8")).parameters as Record<
  string,
  { value: unknown }
>;
const CONFIG_SOURCE = readFileSync("src/config.ts", "utf8");

type Obj = { [key: string]: BicepValue };
const obj = (v: BicepValue | undefined): Obj => {
  assert.ok(v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Expr), "an object literal");
  return v as Obj;
};
const source = (v: BicepValue | undefined) => (v instanceof Expr ? v.source : v);

/** Every setting src/config.ts reads (its calls name each key as a string literal). */
const configKeys = () =>
  new Set([
    "APP_ENV",
    ...[...CONFIG_SOURCE.matchAll(/\b(?:text|positive|port|list|fail)\("([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!),
  ]);

/** String variables (`var name = 'text'`). */
const stringVars = (): Record<string, string> =>
  Object.fromEntries([...BICEP.matchAll(/^var (\w+) = '([^'$]*)'$/gm)].map((m) => [m[1]!, m[2]!]));

const appSettings = () => {
  const site = obj(obj(bodyOf(BICEP, "webApp").properties).siteConfig);
  return (obj(site).appSettings as BicepValue[]).map((s) => {
    const { name, value } = obj(s);
    return { name: name as string, value };
  });
};

describe("infra/azure.bicep", () => {
  it("declares each Azure resource with a dated API version", () => {
    const types = [...resources(BICEP).values()].map((r) => r.type).sort();
    assert.deepEqual(types, [
      "Microsoft.BotService/botServices",
      "Microsoft.BotService/botServices/channels",
      "Microsoft.DocumentDB/databaseAccounts",
      "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
      "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
      "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
      "Microsoft.Insights/components",
      "Microsoft.Insights/diagnosticSettings",
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      "Microsoft.OperationalInsights/workspaces",
      "Microsoft.Web/serverfarms",
      "Microsoft.Web/sites",
    ]);
    for (const [name, r] of resources(BICEP)) assert.match(r.apiVersion, /^20\d\d-\d\d-\d\d(-preview)?$/, name);
  });

  it("uses every parameter, and gets each required one from azure.parameters.json", () => {
    const params = declarations(BICEP).filter((d) => d.kind === "param");
    for (const p of params) {
      const uses = BICEP.match(new RegExp(`\\b${p.name}\\b`, "g"))!.length;
      assert.ok(uses > 1, `param ${p.name} is used`);
      const line = BICEP.slice(p.start, BICEP.indexOf("\n", p.start));
      if (!line.includes("=")) assert.ok(p.name in PARAMETERS, `param ${p.name} has a value in azure.parameters.json`);
    }
    const names = new Set(params.map((p) => p.name));
    for (const key of Object.keys(PARAMETERS))
      assert.ok(names.has(key), `azure.parameters.json: ${key} is a parameter`);
    assert.match(BICEP, /@secure\(\)\s*\n(@description\([^\n]*\)\s*\n)?param botAadAppClientSecret string/);
  });

  it("outputs what the toolkit writes to env/ and the lifecycle reads", () => {
    const outputs = declarations(BICEP)
      .filter((d) => d.kind === "output")
      .map((d) => d.name);
    const documented = readFileSync("env/.env.dev", "utf8");
    for (const o of outputs) {
      assert.match(o, /^[A-Z][A-Z0-9_]*$/, `output ${o} is named as its env variable`);
      assert.match(documented, new RegExp(`^${o}=`, "m"), `output ${o} is documented in env/.env.dev`);
    }
    // Each placeholder of the lifecycle is an output, written by an action, or a setting of env/.env.dev.
    const yml = parseYaml(readFileSync("teamsapp.yml", "utf8")) as Record<string, Array<Record<string, unknown>>>;
    const written = new Set(
      Object.values(yml)
        .filter(Array.isArray)
        .flat()
        .flatMap((step) => Object.values((step.writeToEnvironmentFile as Record<string, string>) ?? {})),
    );
    for (const needed of ["AZURE_WEB_APP_RESOURCE_ID", "TAB_DOMAIN", "TAB_ENDPOINT", "BOT_DOMAIN"])
      assert.ok(outputs.includes(needed), `${needed} is an output`);
    for (const needed of ["TEAMS_APP_ID", "AAD_APP_CLIENT_ID", "AAD_APP_OBJECT_ID", "BOT_ID", "SECRET_BOT_PASSWORD"])
      assert.ok(written.has(needed), `${needed} is written by a provision action`);
  });

  it("configures the Linux web app: Node 20, HTTPS only, Always On, health check on /readyz, the managed identity", () => {
    const web = bodyOf(BICEP, "webApp");
    const props = obj(web.properties);
    const site = obj(props.siteConfig);
    assert.equal(web.kind, "app,linux");
    assert.equal(props.httpsOnly, true);
    assert.equal(site.linuxFxVersion, "NODE|20-lts");
    assert.equal(site.alwaysOn, true);
    assert.equal(site.healthCheckPath, "/readyz");
    assert.equal(site.appCommandLine, "npm run start:prod");
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    assert.match(pkg.scripts["start:prod"], /^node .*dist\/main\.js$/);
    assert.equal(obj(web.identity).type, "UserAssigned");
    assert.equal(obj(bodyOf(BICEP, "plan").properties).reserved, true);
  });

  it("passes App Service settings that src/config.ts reads, and that start it in production without keys", () => {
    const platform = new Set([
      "WEBSITE_NODE_DEFAULT_VERSION",
      "SCM_DO_BUILD_DURING_DEPLOYMENT",
      "CUSTOM_BUILD_COMMAND",
      "AZURE_CLIENT_ID", // read by DefaultAzureCredential
    ]);
    const keys = configKeys();
    const settings = appSettings();
    for (const { name } of settings) assert.ok(keys.has(name) || platform.has(name), `${name} is read by the app`);
    const names = settings.map((s) => s.name);
    assert.ok(!names.includes("COSMOS_KEY"), "no Cosmos DB key in app settings");
    assert.equal(source(settings.find((s) => s.name === "AZURE_CLIENT_ID")!.value), "identity.properties.clientId");
    assert.equal(
      source(settings.find((s) => s.name === "APPLICATIONINSIGHTS_CONNECTION_STRING")!.value),
      "insights.properties.ConnectionString",
    );

    // The settings as App Service would hold them after provision (expressions given sample values).
    const sample: Record<string, string> = {
      APP_ENV: "dev",
      BOT_ID: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
      BOT_PASSWORD: "secret-from-the-user-file",
      BOT_TENANT_ID: "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b",
      AZURE_CLIENT_ID: "11111111-1111-4111-8111-111111111111",
      COSMOS_ENDPOINT: "https://accessdesk-cosmos.documents.azure.com:443/",
      TAB_CLIENT_ID: "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      ALLOWED_DIRECTORY_IDS: "8f1b3c2a-4d5e-4f60-9a7b-1c2d3e4f5a6b",
      INITIAL_ADMINS: "admin@contoso.example",
      ADMIN_CHANNEL_ID: "",
      MSP_TENANT_NAME: "Contoso IT",
      GRAPH_CLIENT_ID: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
      GRAPH_CLIENT_SECRET: "graph-secret-from-the-user-file",
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    };
    const env = Object.fromEntries(
      settings.map(({ name, value }) => {
        if (typeof value === "string") return [name, value];
        const variable = stringVars()[String(source(value))];
        if (variable !== undefined) return [name, variable];
        assert.ok(name in sample, `a sample value for ${name} (${source(value)})`);
        return [name, sample[name]!];
      }),
    );
    const config = loadConfig({ env, files: false });
    assert.equal(config.local, false);
    assert.equal(config.cosmos.key, null, "Cosmos DB through DefaultAzureCredential");
    assert.equal(config.cosmos.database, "access-desk");
    assert.equal(config.cosmos.container, "access-desk");
    assert.equal(config.bot.type, "SingleTenant");
    assert.equal(config.logFormat, "json");
    assert.equal(config.tab.devUsersFile, null);
    assert.equal(config.tab.issuer, "https://login.microsoftonline.com/{tid}/v2.0");
    assert.ok(config.telemetry.connectionString);
    assert.deepEqual(config.directorySync.auth, {
      kind: "client-secret",
      clientId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
      secret: "graph-secret-from-the-user-file",
    });
  });

  it("creates the container with the partition key and indexing policy the code declares", () => {
    const resource = obj(obj(bodyOf(BICEP, "container").properties).resource);
    assert.deepEqual(obj(resource.partitionKey).paths, [PARTITION_KEY_PATH]);
    const policy = obj(resource.indexingPolicy);
    assert.equal(policy.indexingMode, INDEXING_POLICY.indexingMode);
    assert.equal(policy.automatic, INDEXING_POLICY.automatic);
    assert.deepEqual(policy.includedPaths, INDEXING_POLICY.includedPaths);
    assert.deepEqual(policy.excludedPaths, INDEXING_POLICY.excludedPaths);
    assert.deepEqual(policy.compositeIndexes, INDEXING_POLICY.compositeIndexes);
    // And the names the app is told to use are the ones created.
    const vars = stringVars();
    assert.equal(source(bodyOf(BICEP, "database").name), "databaseName");
    assert.equal(source(bodyOf(BICEP, "container").name), "containerName");
    const settings = appSettings();
    assert.equal(source(settings.find((s) => s.name === "COSMOS_DATABASE")!.value), "databaseName");
    assert.equal(vars.databaseName, "access-desk");
    assert.equal(vars.containerName, "access-desk");
  });

  it("runs Cosmos DB serverless by default, autoscale on request, keys off, data access for the identity only", () => {
    const account = obj(bodyOf(BICEP, "cosmos").properties);
    assert.equal(account.disableLocalAuth, true);
    assert.equal(
      source(account.capabilities),
      "cosmosCapacityMode == 'Serverless' ? [ { name: 'EnableServerless' } ] : []",
    );
    assert.match(
      BICEP,
      /@allowed\(\[ 'Serverless', 'Autoscale' \]\)[^\n]*\n[^\n]*\nparam cosmosCapacityMode string = 'Serverless'/,
    );
    assert.match(
      String(source(obj(bodyOf(BICEP, "container").properties).options)),
      /cosmosCapacityMode == 'Autoscale' \? \{ autoscaleSettings: \{ maxThroughput: cosmosAutoscaleMaxThroughput \} \}/,
    );
    const role = obj(bodyOf(BICEP, "dataContributor").properties);
    assert.equal(source(role.principalId), "identity.properties.principalId");
    assert.equal(source(role.roleDefinitionId), "'${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'");
    assert.match(BICEP, /var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'/);
  });

  it("registers the bot with its app id, the web app's /api/messages and the Teams channel", () => {
    const bot = obj(bodyOf(BICEP, "bot").properties);
    assert.equal(source(bot.msaAppId), "botAadAppClientId");
    assert.equal(bot.msaAppType, "SingleTenant");
    assert.equal(source(bot.endpoint), "'https://${webApp.properties.defaultHostName}/api/messages'");
    assert.equal(obj(bodyOf(BICEP, "teamsChannel").properties).channelName, "MsTeamsChannel");
  });

  it("sends telemetry to Application Insights on a Log Analytics workspace, with the app's console logs", () => {
    assert.equal(source(obj(bodyOf(BICEP, "insights").properties).WorkspaceResourceId), "workspace.id");
    const diagnostics = bodyOf(BICEP, "webAppLogs");
    assert.equal(source(diagnostics.scope), "webApp");
    const categories = (obj(diagnostics.properties).logs as BicepValue[]).map((l) => obj(l).category);
    assert.ok(categories.includes("AppServiceConsoleLogs"));
  });
});
