/**
 * The directory's built-in role definitions (`/roleManagement/directory/roleDefinitions`), a subset of Microsoft
 * Entra's, with their real template ids (for built-in roles `id` is the template id), descriptions and privileged
 * flags as in Entra's "built-in roles" reference. Each role's `rolePermissions` is a short sample of its actions.
 */

export interface RoleDefinition {
  id: string;
  displayName: string;
  description: string;
  isPrivileged: boolean;
  allowedResourceActions: readonly string[];
}

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';

const ROLES: readonly RoleDefinition[] = [
  {
    id: GLOBAL_ADMINISTRATOR,
    displayName: 'Global Administrator',
    description:
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/users/allProperties/allTasks',
      'microsoft.directory/groups/allProperties/allTasks',
      'microsoft.directory/roleAssignments/allProperties/allTasks',
      'microsoft.directory/applications/allProperties/allTasks',
    ],
  },
  {
    id: PRIVILEGED_ROLE_ADMINISTRATOR,
    displayName: 'Privileged Role Administrator',
    description:
      'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/roleAssignments/allProperties/allTasks',
      'microsoft.directory/roleDefinitions/allProperties/allTasks',
      'microsoft.directory/privilegedIdentityManagement/allProperties/allTasks',
    ],
  },
  {
    id: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
    displayName: 'Helpdesk Administrator',
    description: 'Can reset passwords for non-administrators and Helpdesk Administrators.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/users/password/update',
      'microsoft.directory/users/invalidateAllRefreshTokens',
      'microsoft.directory/users/standard/read',
    ],
  },
  {
    id: '966707d0-3269-4727-9be2-8c3a10f19b9d',
    displayName: 'Password Administrator',
    description: 'Can reset passwords for non-administrators and Password Administrators.',
    isPrivileged: true,
    allowedResourceActions: ['microsoft.directory/users/password/update'],
  },
  {
    id: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    displayName: 'User Administrator',
    description:
      'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/users/create',
      'microsoft.directory/users/delete',
      'microsoft.directory/users/password/update',
      'microsoft.directory/groups/members/update',
    ],
  },
  {
    id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
    displayName: 'Application Administrator',
    description: 'Can create and manage all aspects of app registrations and enterprise apps.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/applications/create',
      'microsoft.directory/applications/credentials/update',
      'microsoft.directory/servicePrincipals/create',
    ],
  },
  {
    id: '158c047a-c907-4556-b7ef-446551a6b5f7',
    displayName: 'Cloud Application Administrator',
    description:
      'Can create and manage all aspects of app registrations and enterprise apps except App Proxy.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/applications/create',
      'microsoft.directory/servicePrincipals/create',
    ],
  },
  {
    id: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    displayName: 'Security Administrator',
    description:
      'Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/conditionalAccessPolicies/create',
      'microsoft.directory/auditLogs/allProperties/read',
    ],
  },
  {
    id: '5d6b6bb7-de71-4623-b4af-96380a352509',
    displayName: 'Security Reader',
    description: 'Can read security information and reports in Microsoft Entra ID and Office 365.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/auditLogs/allProperties/read',
      'microsoft.directory/signInReports/allProperties/read',
    ],
  },
  {
    id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
    displayName: 'Global Reader',
    description: 'Can read everything that a Global Administrator can, but not update anything.',
    isPrivileged: true,
    allowedResourceActions: [
      'microsoft.directory/users/allProperties/read',
      'microsoft.directory/groups/allProperties/read',
      'microsoft.directory/roleAssignments/allProperties/read',
    ],
  },
  {
    id: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    displayName: 'Exchange Administrator',
    description: 'Can manage all aspects of the Exchange product.',
    isPrivileged: false,
    allowedResourceActions: [
      'microsoft.office365.exchange/allEntities/basic/allTasks',
      'microsoft.directory/groups.unified/create',
    ],
  },
  {
    id: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
    displayName: 'Groups Administrator',
    description:
      'Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.',
    isPrivileged: false,
    allowedResourceActions: [
      'microsoft.directory/groups/create',
      'microsoft.directory/groups/delete',
      'microsoft.directory/groups/members/update',
    ],
  },
  {
    id: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
    displayName: 'Directory Readers',
    description:
      'Can read basic directory information. Commonly used to grant directory read access to applications and guests.',
    isPrivileged: false,
    allowedResourceActions: [
      'microsoft.directory/users/standard/read',
      'microsoft.directory/groups/standard/read',
    ],
  },
];

const BY_ID = new Map(ROLES.map((r) => [r.id, r]));

export function roleDefinitions(): readonly RoleDefinition[] {
  return ROLES;
}

/** A built-in role by id (its template id), case-insensitive as Graph's ids are. */
export function roleDefinition(id: string): RoleDefinition | undefined {
  return BY_ID.get(id.toLowerCase());
}

export const ROLE_DEFINITION_PROPERTIES = [
  'id',
  'description',
  'displayName',
  'isBuiltIn',
  'isEnabled',
  'isPrivileged',
  'resourceScopes',
  'templateId',
  'version',
  'rolePermissions',
];

/** The unifiedRoleDefinition as Graph v1.0 shows it. */
export function roleDefinitionView(r: RoleDefinition): Record<string, unknown> {
  return {
    id: r.id,
    description: r.description,
    displayName: r.displayName,
    isBuiltIn: true,
    isEnabled: true,
    isPrivileged: r.isPrivileged,
    resourceScopes: ['/'],
    templateId: r.id,
    version: '1',
    rolePermissions: [{ allowedResourceActions: [...r.allowedResourceActions], condition: null }],
  };
}
