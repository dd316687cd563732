// E-mail: an Email Communication Service with an Azure-managed domain (<guid>.azurecomm.net, verified by Azure, no
// DNS work), linked to a Communication Services resource the app sends through with its managed identity.
// Engagement tracking stays off: approval links carry one-time tokens and must not be rewritten.
// For production, add a custom domain (docs/deploy.md): the Azure-managed domain has low sending limits.
param emailServiceName string
param communicationServiceName string
param dataLocation string
param tags object = {}
param identityPrincipalId string

// Least privilege for sending: the built-in Communication and Email Service Owner covers every operation on the
// resource, access keys included. Azure's e-mail docs give the narrower option, a custom role with only these three
// actions (Communication Services has no data action for sending), assigned on the Communication Services resource.
var emailSenderActions = [
  'Microsoft.Communication/CommunicationServices/Read'
  'Microsoft.Communication/CommunicationServices/Write'
  'Microsoft.Communication/EmailServices/write'
]

// One definition per resource group (role names are unique per tenant, hence the group id in the name), assignable
// only within it. guid() keeps the name the same on every deployment.
resource emailSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'pimflow-email-sender')
  properties: {
    roleName: 'pimflow e-mail sender (${resourceGroup().name}, ${uniqueString(resourceGroup().id)})'
    description: 'Send e-mail through Azure Communication Services with Microsoft Entra ID. Nothing else: no keys.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: emailSenderActions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

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
  name: guid(communicationService.id, identityPrincipalId, emailSenderRole.name)
  scope: communicationService
  properties: {
    // The subscription-level id, as for built-in roles (the definition's name is its guid).
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRole.name)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communicationService.properties.hostName}/'
// An Azure-managed domain always has the DoNotReply sender.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
