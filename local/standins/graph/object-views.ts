/**
 * How each kind of directory object looks on the wire: its properties, which of them Graph returns without
 * `$select`, and `@odata.type` on objects listed in directoryObject collections (members, owners, manager).
 */
import type { TenantGroup, TenantServicePrincipal, TenantUser } from './tenant-data';
import type { DirectoryObject, ObjectKind } from './tenant-store';
import { project, type QuerySpec } from './odata-query';

type View = Record<string, unknown>;

/** What GET /users returns when no `$select` is given (Graph's default set). */
const USER_DEFAULTS = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const USER_PROPERTIES = [
  ...USER_DEFAULTS,
  'accountEnabled',
  'department',
  'createdDateTime',
  'userType',
  'signInActivity',
];
const GROUP_PROPERTIES = [
  'id',
  'createdDateTime',
  'description',
  'displayName',
  'groupTypes',
  'isAssignableToRole',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
];
const SERVICE_PRINCIPAL_PROPERTIES = ['id', 'accountEnabled', 'appId', 'displayName', 'servicePrincipalType'];

export const KINDS: Record<
  ObjectKind,
  { type: string; defaults: readonly string[]; properties: ReadonlySet<string> }
> = {
  user: { type: 'microsoft.graph.user', defaults: USER_DEFAULTS, properties: new Set(USER_PROPERTIES) },
  group: { type: 'microsoft.graph.group', defaults: GROUP_PROPERTIES, properties: new Set(GROUP_PROPERTIES) },
  servicePrincipal: {
    type: 'microsoft.graph.servicePrincipal',
    defaults: SERVICE_PRINCIPAL_PROPERTIES,
    properties: new Set(SERVICE_PRINCIPAL_PROPERTIES),
  },
};

/** The query options of a directoryObject (members, owners, `/directoryObjects/{id}`): it may be of any kind. */
export const DIRECTORY_OBJECT_SPEC: QuerySpec = {
  type: 'microsoft.graph.directoryObject',
  selectable: new Set([...USER_PROPERTIES, ...GROUP_PROPERTIES, ...SERVICE_PRINCIPAL_PROPERTIES]),
};

export function userView(u: TenantUser): View {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: u.officeLocation,
    preferredLanguage: null,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    department: u.department,
    createdDateTime: u.createdDateTime,
    userType: 'Member',
    signInActivity: { ...u.signInActivity },
  };
}

export function groupView(g: TenantGroup): View {
  const { members: _members, owners: _owners, ...properties } = g;
  return { ...properties, groupTypes: [...g.groupTypes] };
}

export function servicePrincipalView(p: TenantServicePrincipal): View {
  const { createdDateTime: _created, ...properties } = p;
  return properties;
}

export function viewOf(o: DirectoryObject): View {
  if (o.kind === 'user') return userView(o.value);
  if (o.kind === 'group') return groupView(o.value);
  return servicePrincipalView(o.value);
}

/** The object as listed in a directoryObject collection: `@odata.type` first, then the selected properties. */
export function directoryObjectView(o: DirectoryObject, select: readonly string[] | undefined): View {
  const kind = KINDS[o.kind];
  return { '@odata.type': `#${kind.type}`, ...project(viewOf(o), select, kind.defaults) };
}
