/**
 * The managed resources' roles as links to one admin area (role settings or assignments): what `#/admin/settings` and
 * `#/admin/assignments` show before a role is chosen.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { usePortal } from '../../../app/portal-context';
import { useResource } from '../../../app/use-resource';
import { Page } from '../../../components/page';
import {
  GROUP_ROLES,
  areaHref,
  azureScopeName,
  groupRoleLabel,
  listManagedAzureScopes,
  listManagedGroups,
  listManagedRoles,
} from './resource-kinds';
import { azureScopeKindLabel } from '../../../api/arm';
import { hrefFor } from '../../../app/router';

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'grid', gap: tokens.spacingVerticalS },
  roles: {
    display: 'inline-flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    marginLeft: tokens.spacingHorizontalS,
  },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
});

export function ResourcePicker(props: {
  area: 'settings' | 'assignments';
  title: string;
  description: string;
}) {
  const { api } = usePortal();
  const styles = useStyles();
  const resources = useResource(async () => {
    const [groups, roles, azure] = await Promise.all([
      listManagedGroups(api),
      listManagedRoles(api),
      listManagedAzureScopes(api),
    ]);
    return { groups, roles, azure };
  }, [api]);
  const data = resources.data;
  return (
    <Page
      title={props.title}
      description={props.description}
      error={resources.error}
      loading={resources.loading}
    >
      {data ? (
        <>
          <h2 className={styles.heading}>Groups</h2>
          {data.groups.length === 0 ? (
            <p>
              No group is under management yet.{' '}
              <Link href={hrefFor('admin', 'resources')}>Discover groups</Link>.
            </p>
          ) : (
            <ul className={styles.list}>
              {data.groups.map((g) => (
                <li key={g.groupId}>
                  {g.displayName}
                  <span className={styles.roles}>
                    {GROUP_ROLES.map((role) => (
                      <Link
                        key={role}
                        href={areaHref(props.area, { kind: 'group', resourceId: g.groupId, role })}
                        aria-label={`${g.displayName}: ${groupRoleLabel(role)}`}
                      >
                        {groupRoleLabel(role)}
                      </Link>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h2 className={styles.heading}>Microsoft Entra roles</h2>
          {data.roles.length === 0 ? (
            <p>
              No role is under management yet. <Link href={hrefFor('admin', 'resources')}>Add roles</Link>.
            </p>
          ) : (
            <ul className={styles.list}>
              {data.roles.map((r) => (
                <li key={r.roleDefinitionId}>
                  <Link
                    href={areaHref(props.area, {
                      kind: 'role',
                      resourceId: r.roleDefinitionId,
                      role: r.roleDefinitionId,
                    })}
                  >
                    {r.displayName}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <h2 className={styles.heading}>Azure resources</h2>
          {data.azure.length === 0 ? (
            <p>
              No Azure resource is under management yet.{' '}
              <Link href={hrefFor('admin', 'resources')}>Add Azure resource</Link>.
            </p>
          ) : (
            <ul className={styles.list}>
              {data.azure.map((s) => (
                <li key={s.id}>
                  <Link href={hrefFor('admin', 'resources', 'azure', s.scope)}>
                    {azureScopeName(s)} ({azureScopeKindLabel(s.scope)})
                  </Link>
                  : choose a role there.
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </Page>
  );
}
