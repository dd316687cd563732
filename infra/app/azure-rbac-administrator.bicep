// Lets the app's identity grant and revoke Azure roles below the subscription (issue 17: PIM for Azure resources):
// "Role Based Access Control Administrator" at the subscription, with the condition Azure documents for delegating
// role assignment management ("allow all roles except privileged administrator roles"): it can neither assign nor
// remove Owner, User Access Administrator or Role Based Access Control Administrator, so it cannot raise anyone,
// itself included, to a role that manages access. See docs/deploy.md, "Azure roles (PIM for Azure resources)".
targetScope = 'subscription'

@description('Principal (object) id of the app\'s managed identity.')
param identityPrincipalId string

var rbacAdministrator = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'
// Owner, User Access Administrator, Role Based Access Control Administrator.
var privilegedRoles = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168'
var condition = '((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${privilegedRoles}})) AND ((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/delete\'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${privilegedRoles}}))'

resource appAssignsAzureRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, identityPrincipalId, rbacAdministrator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacAdministrator)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    description: 'pimflow grants and revokes eligible Azure roles (not Owner, User Access Administrator or RBAC Administrator)'
    condition: condition
    conditionVersion: '2.0'
  }
}
