// Access Desk on Azure: a Linux App Service (Node 20) running the bot and the People tab, an Azure Bot with
// the Microsoft Teams channel, Cosmos DB reached with a user-assigned managed identity (no keys anywhere),
// and Application Insights on a Log Analytics workspace. Deployed by teamsapp.yml (arm/deploy); each output
// is written by the toolkit to env/.env.<environment> under the output's name.

@maxLength(20)
@minLength(4)
@description('Prefix for every resource name (letters and digits; the toolkit passes accessdesk plus RESOURCE_SUFFIX).')
param resourceBaseName string

@description('The toolkit environment (dev, prod...): the app runs with APP_ENV set to it.')
param appEnv string = 'dev'

param location string = resourceGroup().location

@description('App Service plan SKU (B1 or above: Always On needs a Basic plan or higher).')
param webAppSku string = 'B1'

@description('Display name of the bot in Teams.')
param botDisplayName string = 'Access Desk'

@description('Client id of the bot\'s Entra app registration (botAadApp/create writes it as BOT_ID).')
param botAadAppClientId string

@secure()
@description('Client secret of the bot\'s Entra app (SECRET_BOT_PASSWORD, kept in env/.env.<environment>.user).')
param botAadAppClientSecret string

@description('The Entra directory of the bot\'s app registration (single-tenant bot).')
param botTenantId string = tenant().tenantId

@description('Client id of the People tab\'s Entra app (aadApp/create writes it as AAD_APP_CLIENT_ID): the audience of tab tokens.')
param tabClientId string

@description('Entra tenant ids allowed to use the app, comma-separated (the first is the MSP\'s own).')
param allowedDirectoryIds string

@description('Object ids or UPNs of the first MSP Admins, comma-separated.')
param initialAdmins string

@description('Teams channel id for request cards (optional; admins can choose one in Teams).')
param adminChannelId string = ''

@description('Display name of the MSP\'s own directory.')
param mspTenantName string = 'MSP'

@description('Directory sync (optional): client id of the Entra app with Microsoft Graph User.Read.All (application), consented in each allowed directory. Empty: no sync.')
param graphClientId string = ''

@secure()
@description('Directory sync (optional): that app\'s client secret.')
param graphClientSecret string = ''

@allowed([ 'Serverless', 'Autoscale' ])
@description('Cosmos DB capacity: Serverless (pay per request, the default) or Autoscale provisioned throughput.')
param cosmosCapacityMode string = 'Serverless'

@minValue(1000)
@description('Autoscale only: the container\'s maximum throughput (RU/s); it scales down to a tenth of it.')
param cosmosAutoscaleMaxThroughput int = 1000

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps logs and telemetry.')
param logRetentionDays int = 30

var identityName = '${resourceBaseName}-id'
var planName = '${resourceBaseName}-plan'
var webAppName = '${resourceBaseName}-web'
var workspaceName = '${resourceBaseName}-logs'
var insightsName = '${resourceBaseName}-insights'
var cosmosAccountName = toLower('${resourceBaseName}-cosmos')
// The names src/config.ts defaults to (COSMOS_DATABASE, COSMOS_CONTAINER).
var databaseName = 'access-desk'
var containerName = 'access-desk'
// Cosmos DB Built-in Data Contributor: read and write items, nothing on the account's control plane.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: cosmosAccountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [ { locationName: location, failoverPriority: 0, isZoneRedundant: false } ]
    capabilities: cosmosCapacityMode == 'Serverless' ? [ { name: 'EnableServerless' } ] : []
    // Keys are switched off: only Entra identities with a data-plane role reach the data.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// Partition key and indexing policy as src/store/cosmos-container.ts declares them (PARTITION_KEY_PATH,
// INDEXING_POLICY); test/deploy/infra.test.ts keeps the two the same.
resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: containerName
  properties: {
    options: cosmosCapacityMode == 'Autoscale' ? { autoscaleSettings: { maxThroughput: cosmosAutoscaleMaxThroughput } } : {}
    resource: {
      id: containerName
      partitionKey: { paths: [ '/personId' ], kind: 'Hash', version: 2 }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/*' } ]
        excludedPaths: [
          { path: '/before/*' }
          { path: '/after/*' }
          { path: '/justification/?' }
          { path: '/address/*' }
          { path: '/"_etag"/?' }
        ]
        compositeIndexes: [
          [
            { path: '/type', order: 'ascending' }
            { path: '/status', order: 'ascending' }
            { path: '/createdAt', order: 'ascending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/sortName', order: 'ascending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/sortName', order: 'descending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/roleKey', order: 'ascending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/roleKey', order: 'descending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/expiresKey', order: 'ascending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/expiresKey', order: 'descending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/grantedKey', order: 'ascending' }
          ]
          [
            { path: '/type', order: 'ascending' }
            { path: '/grantedKey', order: 'descending' }
          ]
        ]
      }
    }
  }
}

// The app's identity may read and write items of this account, and nothing else.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identity.properties.principalId
    scope: cosmos.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  kind: 'linux'
  sku: { name: webAppSku }
  properties: { reserved: true }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      http20Enabled: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/readyz'
      // Compiled JavaScript only: dist/ and web/dist/ arrive built; no TypeScript runner in production.
      appCommandLine: 'npm run start:prod'
      appSettings: [
        // Platform: Node 20; on deployment install production dependencies only (the zip carries the build).
        { name: 'WEBSITE_NODE_DEFAULT_VERSION', value: '~20' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
        { name: 'CUSTOM_BUILD_COMMAND', value: 'npm ci --omit=dev --no-audit --no-fund' }
        // DefaultAzureCredential picks the user-assigned identity by its client id.
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        // Read by src/config.ts.
        { name: 'APP_ENV', value: appEnv }
        { name: 'LOG_FORMAT', value: 'json' }
        { name: 'BOT_ID', value: botAadAppClientId }
        { name: 'BOT_PASSWORD', value: botAadAppClientSecret }
        { name: 'BOT_TYPE', value: 'SingleTenant' }
        { name: 'BOT_TENANT_ID', value: botTenantId }
        { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
        { name: 'COSMOS_DATABASE', value: databaseName }
        { name: 'COSMOS_CONTAINER', value: containerName }
        { name: 'TAB_CLIENT_ID', value: tabClientId }
        { name: 'ALLOWED_DIRECTORY_IDS', value: allowedDirectoryIds }
        { name: 'INITIAL_ADMINS', value: initialAdmins }
        { name: 'ADMIN_CHANNEL_ID', value: adminChannelId }
        { name: 'MSP_TENANT_NAME', value: mspTenantName }
        { name: 'GRAPH_CLIENT_ID', value: graphClientId }
        { name: 'GRAPH_CLIENT_SECRET', value: graphClientSecret }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
      ]
    }
  }
  dependsOn: [ dataContributor, container ]
}

// stdout (the app's JSON log lines) and platform logs also land in the Log Analytics workspace.
resource webAppLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: workspace.id
    logs: [
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceHTTPLogs', enabled: true }
      { category: 'AppServicePlatformLogs', enabled: true }
    ]
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: botTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}

// Written by the toolkit to env/.env.<environment>; teamsapp.yml, aad.manifest.json and the app manifest use them.
output AZURE_WEB_APP_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output TAB_DOMAIN string = webApp.properties.defaultHostName
output TAB_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output COSMOS_ENDPOINT string = cosmos.properties.documentEndpoint
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output APPLICATIONINSIGHTS_RESOURCE_ID string = insights.id
output LOG_ANALYTICS_WORKSPACE_ID string = workspace.id
