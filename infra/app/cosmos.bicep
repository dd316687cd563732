// Cosmos DB for NoSQL, serverless, keys disabled. The app's identity gets the built-in Data Contributor role on the
// account (data plane: read and write items, read metadata). Data-plane roles cannot create databases or
// containers, so they are created here, from cosmos-containers.json (kept equal to the code by test/infra).
param name string
param location string
param tags object = {}
param databaseName string
param identityPrincipalId string

var containers = loadJsonContent('cosmos-containers.json').containers
// Cosmos DB Built-in Data Contributor (a Cosmos data-plane role definition, not an Azure RBAC one).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource appContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for c in containers: {
    parent: database
    name: c.id
    properties: {
      // Optional parts only when the code declares them (ensure-database.ts compares unique keys and TTL).
      // loadJsonContent gives each entry an exact type: reading a property no entry has is error BCP053, even
      // behind contains(). Optional properties are read with the safe-dereference operator `.?` (null when
      // absent); test/infra checks that every other read names a property all entries have.
      resource: union(
        { id: c.id, partitionKey: { paths: [c.partitionKeyPath], kind: 'Hash' } },
        empty(c.?uniqueKeys ?? []) ? {} : { uniqueKeyPolicy: { uniqueKeys: map(c.?uniqueKeys ?? [], paths => { paths: paths }) } },
        c.?defaultTtl == null ? {} : { defaultTtl: c.?defaultTtl },
        empty(c.?compositeIndexes ?? []) ? {} : { indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes: c.?compositeIndexes } }
      )
    }
  }
]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, identityPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: identityPrincipalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
