// The Function App on the Flex Consumption plan (Linux), running as the user-assigned identity. Its app settings
// are every setting shared/config.ts reads in Azure, the `%...%` settings of host.json and the triggers, and the
// identity-based AzureWebJobsStorage connection (test/infra checks all three against the code).
param name string
param planName string
param location string
param tags object = {}
param nodeVersion string
param maximumInstanceCount int
@description('Always-ready instances of the "durable" per-function scale group.')
param durableAlwaysReadyInstances int
param instanceMemoryMB int = 2048
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param appInsightsConnectionString string

param taskHubName string
param publicBaseUrl string
param cosmosEndpoint string
param cosmosDatabaseName string
param graphBaseUrl string
param acsEndpoint string
param mailSender string
param adminNotificationRecipients string
param signingKeySecretUri string
param approvalRequireSignIn string
param authTenantId string
param apiAudience string
param portalClientId string
param driftCheckSchedule string
@description('RECONCILE_SCHEDULE: NCRONTAB of the reconciler timer.')
param reconcileSchedule string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (a user-assigned one must be named here).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // Flex scales orchestrator, activity and entity functions together as the "durable" group; Durable
        // Functions on Flex asks for one always-ready instance of it (cold starts, queue polling).
        alwaysReady: [{ name: 'durable', instanceCount: durableAlwaysReadyInstances }]
      }
      runtime: { name: 'node', version: nodeVersion }
    }
  }
}

var baseUrl = empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl

// Flex Consumption sets the worker runtime and version from functionAppConfig; FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE must not appear here.
var appSettings = {
  // Host storage and the Durable task hub, identity-based (the account has no shared keys).
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // shared/config.ts
  PIMFLOW_TASK_HUB: taskHubName
  PUBLIC_BASE_URL: baseUrl
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabaseName
  GRAPH_BASE_URL: graphBaseUrl
  ACS_ENDPOINT: acsEndpoint
  MAIL_SENDER: mailSender
  ADMIN_NOTIFICATION_RECIPIENTS: adminNotificationRecipients
  APPROVAL_LINK_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${signingKeySecretUri})'
  APPROVAL_REQUIRE_SIGN_IN: approvalRequireSignIn
  // Entra ID's v2.0 issuer (https://login.microsoftonline.com/{tenant}/v2.0 in the public cloud).
  AUTH_ISSUER: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
  AUTH_AUDIENCE: apiAudience
  AUTH_TENANT_ID: authTenantId
  // The portal's sign-in (functions/portal.ts, config.json); empty leaves it unset and the portal says so.
  PORTAL_CLIENT_ID: portalClientId
  // ManagedIdentityCredential and DefaultAzureCredential pick the user-assigned identity by this.
  AZURE_CLIENT_ID: identityClientId

  // Read by the Functions host: the drift check timer's schedule (functions/drift-check.ts).
  DRIFT_CHECK_SCHEDULE: driftCheckSchedule
  RECONCILE_SCHEDULE: reconcileSchedule
}

// A separate resource, so PUBLIC_BASE_URL can use the site's own host name.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
