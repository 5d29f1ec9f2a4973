// Access Desk on Azure: App Service (Node 20) running the bot, an Azure Bot with the Teams channel,
// and Cosmos DB (serverless) reached with a user-assigned managed identity (no keys in app settings).
// First version: the deployment issue completes it (tab SSO, telemetry, parameters).

@maxLength(20)
@minLength(4)
@description('Prefix for every resource name.')
param resourceBaseName string

@description('App Service plan SKU.')
param webAppSku string = 'B1'

@description('Display name of the bot in Teams.')
param botDisplayName string = 'Access Desk'

@description('Entra tenant ids allowed to use the app, comma-separated.')
param allowedDirectoryIds string

@description('Object ids or UPNs of the first MSP Admins, comma-separated.')
param initialAdmins string

@description('Teams channel id for request cards (optional; admins can choose one in Teams).')
param adminChannelId string = ''

param location string = resourceGroup().location

var identityName = '${resourceBaseName}-id'
var planName = '${resourceBaseName}-plan'
var webAppName = '${resourceBaseName}-web'
var cosmosAccountName = toLower('${resourceBaseName}-cosmos')
var databaseName = 'access-desk'
var containerName = 'access-desk'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: cosmosAccountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [ { locationName: location, failoverPriority: 0 } ]
    capabilities: [ { name: 'EnableServerless' } ]
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: { paths: [ '/personId' ], kind: 'Hash' }
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

// Cosmos DB Built-in Data Contributor, for the app's identity only.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, 'data-contributor')
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
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
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/readyz'
      appCommandLine: 'npm run start:prod'
      appSettings: [
        { name: 'APP_ENV', value: 'prod' }
        { name: 'WEBSITE_NODE_DEFAULT_VERSION', value: '~20' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
        { name: 'BOT_ID', value: identity.properties.clientId }
        { name: 'BOT_TYPE', value: 'UserAssignedMsi' }
        { name: 'BOT_TENANT_ID', value: identity.properties.tenantId }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
        { name: 'COSMOS_DATABASE', value: databaseName }
        { name: 'COSMOS_CONTAINER', value: containerName }
        { name: 'ALLOWED_DIRECTORY_IDS', value: allowedDirectoryIds }
        { name: 'INITIAL_ADMINS', value: initialAdmins }
        { name: 'ADMIN_CHANNEL_ID', value: adminChannelId }
      ]
    }
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
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}

output BOT_ID string = identity.properties.clientId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output AZURE_WEB_APP_RESOURCE_ID string = webApp.id
output COSMOS_ENDPOINT string = cosmos.properties.documentEndpoint
