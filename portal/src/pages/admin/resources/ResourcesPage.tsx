/**
 * Admin · Resources under management (seed 001: "Discover groups" → "Manage groups"; seed 002: Microsoft Entra roles).
 * Groups and roles pimflow governs, each role with links to its settings and assignments; admins bring more under
 * management and remove them (after a confirmation), auditors only look.
 *
 * pimflow's API has no directory search for groups (only `POST managedGroups {groupId}`), so "Discover groups"
 * takes the group's object id, as shown in the Entra admin center, and the API says if there is no such group.
 */
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Link,
  Spinner,
  Switch,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../../api/errors';
import { azureScopeKind, azureScopeKindLabel } from '../../../api/arm';
import { formatDate } from '../../../app/format';
import { hrefFor, type Route } from '../../../app/router';
import { usePortal } from '../../../app/portal-context';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import {
  GROUP_ROLES,
  areaHref,
  groupRoleLabel,
  azureScopeName,
  listManagedAzureScopes,
  listManagedGroups,
  listManagedRoles,
  type ManagedAzureScope,
  type ManagedGroup,
  type ManagedRole,
  type RoleDefinition,
} from './resource-kinds';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  sectionHeader: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, marginRight: 'auto' },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalS },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  name: { display: 'flex', flexDirection: 'column', minWidth: '12rem', flexGrow: 1 },
  meta: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  roles: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  roleLinks: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  dialogContent: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  roleList: {
    maxHeight: '50vh',
    overflowY: 'auto',
    display: 'flex',
    flexDirection: 'column',
  },
});

// An Azure scope's roles: `#/admin/resources/azure/<scope>`.
const AzureScopePage = lazy(() => import('./AzureScopePage'));

export default function ResourcesPage(props: { route: Route }) {
  const [, , kind, scope] = props.route.segments;
  if (kind === 'azure' && scope)
    return (
      <Suspense fallback={<Spinner label="Loading…" />}>
        <AzureScopePage scope={scope} />
      </Suspense>
    );
  return <ManagedResources />;
}

function ManagedResources() {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const [success, setSuccess] = useState<string>();
  const resources = useResource(async () => {
    const [groups, roles, azure] = await Promise.all([
      listManagedGroups(api),
      listManagedRoles(api),
      listManagedAzureScopes(api),
    ]);
    return { groups, roles, azure };
  }, [api]);
  const data = resources.data;
  const done = async (message: string) => {
    setSuccess(message);
    await resources.reload();
  };

  return (
    <Page
      title="Resources under management"
      description="The groups, Microsoft Entra roles and Azure resources pimflow governs: their role settings and assignments."
      error={resources.error}
      loading={resources.loading}
    >
      <SuccessBanner message={success} />
      {data ? (
        <>
          <section className={styles.section} aria-labelledby="groups-heading">
            <div className={styles.sectionHeader}>
              <h2 id="groups-heading" className={styles.heading}>
                Groups
              </h2>
              {isAdmin ? (
                <DiscoverGroupsDialog onAdded={(g) => done(`${g.displayName} is now under management.`)} />
              ) : null}
            </div>
            {data.groups.length === 0 ? (
              <Text>No group is under management yet.</Text>
            ) : (
              <ul className={styles.list} aria-label="Groups under management">
                {data.groups.map((g) => (
                  <li key={g.groupId} className={styles.item}>
                    <span className={styles.name}>
                      <Text weight="semibold">{g.displayName}</Text>
                      <span className={styles.meta}>Managed since {formatDate(g.managedSince)}</span>
                    </span>
                    <span className={styles.roles}>
                      {GROUP_ROLES.map((role) => {
                        const ref = { kind: 'group' as const, resourceId: g.groupId, role };
                        const label = groupRoleLabel(role);
                        return (
                          <span key={role} className={styles.roleLinks}>
                            <Text>{label}:</Text>
                            <Link
                              href={areaHref('settings', ref)}
                              aria-label={`${g.displayName} ${label} settings`}
                            >
                              Settings
                            </Link>
                            <Link
                              href={areaHref('assignments', ref)}
                              aria-label={`${g.displayName} ${label} assignments`}
                            >
                              Assignments
                            </Link>
                          </span>
                        );
                      })}
                    </span>
                    {isAdmin ? (
                      <RemoveDialog
                        name={g.displayName}
                        path={`/managedGroups/${encodeURIComponent(g.groupId)}`}
                        onRemoved={() => done(`${g.displayName} is no longer under management.`)}
                      />
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className={styles.section} aria-labelledby="roles-heading">
            <div className={styles.sectionHeader}>
              <h2 id="roles-heading" className={styles.heading}>
                Microsoft Entra roles
              </h2>
              {isAdmin ? (
                <AddRolesDialog
                  managed={data.roles}
                  onAdded={(names) =>
                    done(`${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} now under management.`)
                  }
                />
              ) : null}
            </div>
            {data.roles.length === 0 ? (
              <Text>No role is under management yet.</Text>
            ) : (
              <ul className={styles.list} aria-label="Roles under management">
                {data.roles.map((r) => {
                  const ref = {
                    kind: 'role' as const,
                    resourceId: r.roleDefinitionId,
                    role: r.roleDefinitionId,
                  };
                  return (
                    <li key={r.roleDefinitionId} className={styles.item}>
                      <span className={styles.name}>
                        <Text weight="semibold">{r.displayName}</Text>
                        <span className={styles.meta}>Managed since {formatDate(r.managedSince)}</span>
                      </span>
                      <span className={styles.roleLinks}>
                        <Link href={areaHref('settings', ref)} aria-label={`${r.displayName} settings`}>
                          Settings
                        </Link>
                        <Link href={areaHref('assignments', ref)} aria-label={`${r.displayName} assignments`}>
                          Assignments
                        </Link>
                      </span>
                      {isAdmin ? (
                        <RemoveDialog
                          name={r.displayName}
                          path={`/managedRoles/${encodeURIComponent(r.roleDefinitionId)}`}
                          onRemoved={() => done(`${r.displayName} is no longer under management.`)}
                        />
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <AzureScopesSection scopes={data.azure} onChanged={done} />
        </>
      ) : null}
    </Page>
  );
}

/**
 * Azure resources under management (`managedAzureScopes`): a management group, subscription, resource group or
 * resource, by its ARM id; each links to its roles (settings, assignments). The drift switch removes role assignments
 * made outside pimflow at the scope.
 */
function AzureScopesSection(props: {
  scopes: ManagedAzureScope[];
  onChanged: (message: string) => Promise<void>;
}) {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const [removeOutside, setRemoveOutside] = useState(false);
  const [switchError, setSwitchError] = useState<string>();
  const setDrift = async (s: ManagedAzureScope, on: boolean) => {
    setSwitchError(undefined);
    try {
      await api.patch(`/managedAzureScopes/${encodeURIComponent(s.id)}`, {
        removeAssignmentsMadeOutsidePim: on,
      });
      await props.onChanged(
        on
          ? `Role assignments made outside pimflow at ${azureScopeName(s)} will be removed.`
          : `Role assignments made outside pimflow at ${azureScopeName(s)} will only be reported.`,
      );
    } catch (err) {
      setSwitchError(errorMessage(err));
    }
  };
  return (
    <section className={styles.section} aria-labelledby="azure-heading">
      <div className={styles.sectionHeader}>
        <h2 id="azure-heading" className={styles.heading}>
          Azure resources
        </h2>
        {isAdmin ? (
          <AddByIdDialog
            button="Add Azure resource"
            title="Bring an Azure resource under management"
            label="Scope"
            hint="The resource's ID as ARM names it: a management group (/providers/Microsoft.Management/managementGroups/<name>), a subscription (/subscriptions/<id>), a resource group (/subscriptions/<id>/resourceGroups/<name>) or a resource (its Resource ID in the Azure portal, under Properties)."
            submitLabel="Manage resource"
            field="scope"
            check={(id) =>
              azureScopeKind(id)
                ? undefined
                : 'Enter an ARM scope, such as /subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10/resourceGroups/finance-rg.'
            }
            add={async (scope) => {
              const added = await api.post<ManagedAzureScope>('/managedAzureScopes', {
                scope,
                removeAssignmentsMadeOutsidePim: removeOutside,
              });
              setRemoveOutside(false);
              await props.onChanged(`${azureScopeName(added)} is now under management.`);
            }}
          >
            <Switch
              label="Remove role assignments made outside PIM at this scope (otherwise they are only reported as drift)"
              checked={removeOutside}
              onChange={(_, d) => setRemoveOutside(d.checked)}
            />
          </AddByIdDialog>
        ) : null}
      </div>
      <ErrorBanner message={switchError} />
      {props.scopes.length === 0 ? (
        <Text>No Azure resource is under management yet.</Text>
      ) : (
        <ul className={styles.list} aria-label="Azure resources under management">
          {props.scopes.map((s) => {
            const name = azureScopeName(s);
            return (
              <li key={s.id} className={styles.item}>
                <span className={styles.name}>
                  <Text weight="semibold">{name}</Text>
                  <span className={styles.meta}>
                    {azureScopeKindLabel(s.scope)} · {s.scope}
                  </span>
                  {s.managedSince ? (
                    <span className={styles.meta}>Managed since {formatDate(s.managedSince)}</span>
                  ) : null}
                </span>
                <Link
                  href={hrefFor('admin', 'resources', 'azure', s.scope)}
                  aria-label={`Roles, settings and assignments of ${name}`}
                >
                  Roles, settings and assignments
                </Link>
                {s.removeAssignmentsMadeOutsidePim !== undefined ? (
                  <Switch
                    label="Remove assignments made outside PIM"
                    checked={s.removeAssignmentsMadeOutsidePim}
                    disabled={!isAdmin}
                    onChange={(_, d) => void setDrift(s, d.checked)}
                    aria-label={`Remove assignments made outside PIM at ${name}`}
                  />
                ) : null}
                {isAdmin ? (
                  <RemoveDialog
                    name={name}
                    path={`/managedAzureScopes/${encodeURIComponent(s.id)}`}
                    onRemoved={() => props.onChanged(`${name} is no longer under management.`)}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Brings one resource under management by its id, typed (pimflow's API has no directory or ARM search): groups by
 * object id, Azure scopes by ARM id. The API's refusal is shown on the field.
 */
function AddByIdDialog(props: {
  button: string;
  title: string;
  label: string;
  hint: string;
  submitLabel: string;
  /** A sentence when the typed id can't be right, before asking the API. */
  check: (id: string) => string | undefined;
  /** Sends it; the API's field name for errors is `field`. */
  add: (id: string) => Promise<void>;
  field: string;
  /** More controls (Azure scopes: the drift switch). */
  children?: ReactNode;
}) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [id, setId] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const typed = id.trim();
    const problem = props.check(typed);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await props.add(typed);
      setOpen(false);
      setId('');
    } catch (err) {
      setError(err instanceof ApiError ? (err.field(props.field) ?? err.message) : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="primary">{props.button}</Button>
      </DialogTrigger>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>{props.title}</DialogTitle>
            <DialogContent className={styles.dialogContent}>
              <Field label={props.label} hint={props.hint} validationMessage={error} required>
                <Input value={id} onChange={(_, d) => setId(d.value)} autoComplete="off" />
              </Field>
              {props.children}
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? 'Managing…' : props.submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function DiscoverGroupsDialog(props: { onAdded: (g: ManagedGroup) => Promise<void> }) {
  const { api } = usePortal();
  return (
    <AddByIdDialog
      button="Discover groups"
      title="Discover groups"
      label="Group object id"
      hint="The group's Object ID in the Entra admin center (Groups → the group → Overview). Security and Microsoft 365 groups can be managed; dynamic groups can't."
      submitLabel="Manage group"
      field="groupId"
      check={(id) =>
        GUID.test(id)
          ? undefined
          : "Enter the group's object id, a GUID such as e3d4b516-8621-440b-a7a2-58d0c8c710af."
      }
      add={async (id) => props.onAdded(await api.post<ManagedGroup>('/managedGroups', { groupId: id }))}
    />
  );
}

function AddRolesDialog(props: { managed: ManagedRole[]; onAdded: (names: string[]) => Promise<void> }) {
  const { api } = usePortal();
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const definitions = useResource(
    async () =>
      open
        ? (await api.get<{ value: RoleDefinition[] }>('/roleManagement/directory/roleDefinitions')).value
        : [],
    [api, open],
  );
  const managedIds = useMemo(() => new Set(props.managed.map((r) => r.roleDefinitionId)), [props.managed]);
  const available = (definitions.data ?? [])
    .filter((d) => !managedIds.has(d.id.toLowerCase()) && d.isEnabled !== false)
    .filter((d) => d.displayName.toLowerCase().includes(search.trim().toLowerCase()))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  const submit = async () => {
    if (chosen.length === 0) {
      setError('Choose at least one role.');
      return;
    }
    setBusy(true);
    setError(undefined);
    const added: string[] = [];
    try {
      for (const id of chosen) {
        const role = await api.post<ManagedRole>('/managedRoles', { roleDefinitionId: id });
        added.push(role.displayName);
      }
      setOpen(false);
      setChosen([]);
      setSearch('');
      await props.onAdded(added);
    } catch (err) {
      setError((added.length > 0 ? `Added ${added.join(', ')}. ` : '') + errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="primary">Add roles</Button>
      </DialogTrigger>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>Add Microsoft Entra roles</DialogTitle>
            <DialogContent>
              <Field label="Search roles by name">
                <Input value={search} onChange={(_, d) => setSearch(d.value)} type="search" />
              </Field>
              <ErrorBanner message={definitions.error} />
              <fieldset className={styles.roleList} aria-describedby="roles-error">
                <legend>Roles not yet under management</legend>
                {available.map((d) => (
                  <Checkbox
                    key={d.id}
                    label={d.displayName}
                    checked={chosen.includes(d.id)}
                    onChange={(_, c) =>
                      setChosen((now) => (c.checked ? [...now, d.id] : now.filter((x) => x !== d.id)))
                    }
                  />
                ))}
                {definitions.data && available.length === 0 ? <Text>No role matches.</Text> : null}
              </fieldset>
              <div id="roles-error" role="alert">
                <ErrorBanner message={error} />
              </div>
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? 'Adding…' : chosen.length === 1 ? 'Add 1 role' : `Add ${chosen.length} roles`}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function RemoveDialog(props: { name: string; path: string; onRemoved: () => Promise<void> }) {
  const { api } = usePortal();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(props.path);
      setOpen(false);
      await props.onRemoved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button aria-label={`Remove ${props.name} from management`}>Remove</Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Remove {props.name} from management?</DialogTitle>
          <DialogContent>
            <Text as="p">
              Its role settings are deleted. Existing assignments are not ended, and open requests are not
              refused. Bringing it back later starts again from the default settings.
            </Text>
            <ErrorBanner message={error} />
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button>Cancel</Button>
            </DialogTrigger>
            <Button appearance="primary" onClick={() => void remove()} disabled={busy}>
              Remove
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
