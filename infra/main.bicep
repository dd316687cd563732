// pimflow on Azure: one resource group with the Function App (Flex Consumption), its storage (task hub and
// deployment package), Cosmos DB, Communication Services e-mail, Key Vault and monitoring. Every connection uses
// the app's user-assigned managed identity: no keys, no connection strings with secrets.
// Deployed by `azd up` (azure.yaml); see docs/deploy.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique suffix of every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource (e-mail and Communication Services are global, with emailDataLocation). Must offer the Flex Consumption plan.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline running azd (AZURE_PRINCIPAL_ID). Gets Key Vault Secrets Officer so the post-provision hook can create the signing key. Empty: no such role.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@minLength(1)
@description('AUTH_AUDIENCE: the API app registration\'s application (client) id, which is the audience of its v2.0 access tokens. Printed by infra/scripts/setup-entra.sh.')
param apiAudience string

@description('PORTAL_CLIENT_ID: the app registration the portal signs in with: the API\'s own (its client id, printed by infra/scripts/setup-entra.sh). Empty: the portal says it is not set up.')
param portalClientId string = ''

@description('AUTH_TENANT_ID: the tenant whose tokens the API accepts. Empty: the tenant of this subscription.')
param authTenantId string = ''

@description('ADMIN_NOTIFICATION_RECIPIENTS: comma-separated default recipients of Admin notifications. May be empty.')
param adminNotificationRecipients string = ''

@allowed(['true', 'false'])
@description('APPROVAL_REQUIRE_SIGN_IN: whether deciding from an e-mail link also needs the approver signed in.')
param approvalRequireSignIn string = 'false'

@allowed(['true', 'false'])
@description('AZURE_RBAC_AT_SUBSCRIPTION: whether the app\'s identity gets Role Based Access Control Administrator on this subscription (conditioned: never Owner, User Access Administrator or RBAC Administrator), to grant eligible Azure roles below it. Management groups: see docs/deploy.md.')
param azureRbacAtSubscription string = 'false'

@description('DRIFT_CHECK_SCHEDULE: NCRONTAB (6 fields, UTC) of the drift check timer.')
param driftCheckSchedule string = '0 0 2 * * *'

@description('RECONCILE_SCHEDULE: NCRONTAB (6 fields, UTC) of the reconciler timer (repairs a crash between a write and its orchestration).')
param reconcileSchedule string = '0 */5 * * * *'

@description('PIMFLOW_TASK_HUB: the Durable Functions task hub. Change it only as described in docs/deploy.md (Upgrading).')
param taskHubName string = 'PimflowV1'

@description('PUBLIC_BASE_URL: where links in e-mails point. Empty: the Function App\'s own https URL.')
param publicBaseUrl string = ''

@description('GRAPH_BASE_URL: Microsoft Graph root (change for national clouds).')
param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'

@allowed([
  'Africa'
  'Asia Pacific'
  'Australia'
  'Brazil'
  'Canada'
  'Europe'
  'France'
  'Germany'
  'India'
  'Japan'
  'Korea'
  'Norway'
  'Switzerland'
  'UAE'
  'UK'
  'United States'
])
@description('Where Communication Services keeps e-mail data at rest.')
param emailDataLocation string = 'United States'

@allowed(['20', '22'])
@description('Node.js version of the Functions host (package.json engines: >=20).')
param nodeVersion string = '22'

@description('Upper bound of on-demand Flex Consumption instances in each function group (always-ready ones do not count). The platform accepts 1 to 1000 (it accepted 40 to 1000 in preview).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Always-ready instances of the Flex Consumption "durable" group (orchestrators, activities, entities), as Durable Functions on Flex asks: 1. Billed while idle (docs/deploy.md, "Flex Consumption and Durable Functions"); 0 lets the app scale to zero.')
@minValue(0)
param durableAlwaysReadyInstances int = 1

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, app: 'pimflow' }
var functionAppName = '${abbrs.functionApps}pimflow-${resourceToken}'
// Flex Consumption keeps the deployment package in a blob container of its own.
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var signingSecretName = 'approval-link-signing-key'
var tenantId = empty(authTenantId) ? tenant().tenantId : authTenantId

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentities}pimflow-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.logAnalyticsWorkspaces}${resourceToken}'
    appInsightsName: '${abbrs.appInsights}${resourceToken}'
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    identityPrincipalId: identity.outputs.principalId
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: '${abbrs.cosmosAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: 'pimflow'
    identityPrincipalId: identity.outputs.principalId
  }
}

module email 'app/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    emailServiceName: '${abbrs.emailServices}${resourceToken}'
    communicationServiceName: '${abbrs.communicationServices}${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
    identityPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaults}${resourceToken}'
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// Subscription scope (main.bicep's own): Azure roles below it can be granted; none above it.
module azureRbac 'app/azure-rbac-administrator.bicep' = if (azureRbacAtSubscription == 'true') {
  name: 'azure-rbac-administrator'
  params: {
    identityPrincipalId: identity.outputs.principalId
  }
}

module api 'app/function-app.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.serverFarms}${resourceToken}'
    location: location
    tags: tags
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    durableAlwaysReadyInstances: durableAlwaysReadyInstances
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    appInsightsConnectionString: monitoring.outputs.connectionString
    taskHubName: taskHubName
    publicBaseUrl: publicBaseUrl
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    graphBaseUrl: graphBaseUrl
    acsEndpoint: email.outputs.endpoint
    mailSender: email.outputs.senderAddress
    adminNotificationRecipients: adminNotificationRecipients
    signingKeySecretUri: '${keyVault.outputs.vaultUri}secrets/${signingSecretName}/'
    approvalRequireSignIn: approvalRequireSignIn
    authTenantId: tenantId
    apiAudience: apiAudience
    portalClientId: portalClientId
    driftCheckSchedule: driftCheckSchedule
    reconcileSchedule: reconcileSchedule
  }
  // Using the other modules' outputs makes this wait for them, role assignments included: the identity's roles are
  // in place before the host first starts.
}

// Read by azd (`azd env get-values`), the post-provision hook and infra/scripts/setup-entra.sh.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
// The portal, served by the function app; its redirect URI (…/api/portal/redirect.html) is registered by setup-entra.sh.
output PORTAL_URL string = '${api.outputs.uri}/api/portal/'
output API_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output API_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AUTH_TENANT_ID string = tenantId
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output ACS_ENDPOINT string = email.outputs.endpoint
output MAIL_SENDER string = email.outputs.senderAddress
output KEY_VAULT_NAME string = keyVault.outputs.name
output APPROVAL_SIGNING_SECRET_NAME string = signingSecretName
output PIMFLOW_TASK_HUB string = taskHubName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
