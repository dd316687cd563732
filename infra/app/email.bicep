// E-mail: an Email Communication Service with an Azure-managed domain (<guid>.azurecomm.net, verified by Azure, no
// DNS work), linked to a Communication Services resource the app sends through with its managed identity.
// Engagement tracking stays off: approval links carry one-time tokens and must not be rewritten.
// For production, add a custom domain (docs/deploy.md): the Azure-managed domain has low sending limits.
param emailServiceName string
param communicationServiceName string
param dataLocation string
param tags object = {}
param identityPrincipalId string

// Communication and Email Service Owner: the built-in role that lets an Entra identity send e-mail through ACS.
var emailSenderRole = '09976791-48a7-449e-bb21-39d1a415f350'

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, identityPrincipalId, emailSenderRole)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRole)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communicationService.properties.hostName}/'
// An Azure-managed domain always has the DoNotReply sender.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
