// The app's one identity: a user-assigned managed identity, so it exists before the Function App (its roles and
// Graph permissions can be granted first) and survives the app being recreated.
param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
