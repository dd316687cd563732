/**
 * Admin · one Azure resource under management (`#/admin/resources/azure/<scope>`): the roles that can be assigned
 * there (ARM's role definitions at the scope: built-in and the scope's custom ones), each with links to its role
 * settings and assignments at this scope.
 */
import { Input, Field, Link, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import {
  ARM_RBAC_VERSION,
  armListAll,
  armPath,
  azureScopeKindLabel,
  roleDefinitionGuid,
  scopeLastName,
  type ArmResource,
} from '../../../api/arm';
import { usePortal } from '../../../app/portal-context';
import { hrefFor } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { Page } from '../../../components/page';
import { areaHref } from './resource-kinds';

const useStyles = makeStyles({
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
  name: { display: 'flex', flexDirection: 'column', minWidth: '12rem', flexGrow: 1, flexBasis: '16rem' },
  meta: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  links: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  search: { maxWidth: '24rem' },
});

export interface ArmRoleDefinition {
  roleName: string;
  description?: string | null;
  type?: string;
}

/** The role definitions ARM offers at a scope, by name. */
export async function listAzureRoleDefinitions(
  api: ReturnType<typeof usePortal>['api'],
  scope: string,
): Promise<ArmResource<ArmRoleDefinition>[]> {
  const roles = await armListAll<ArmResource<ArmRoleDefinition>>(
    api,
    armPath(scope, 'roleDefinitions', '', ARM_RBAC_VERSION),
  );
  return roles.sort((a, b) => a.properties.roleName.localeCompare(b.properties.roleName));
}

export default function AzureScopePage(props: { scope: string }) {
  const { api } = usePortal();
  const styles = useStyles();
  const { scope } = props;
  const [search, setSearch] = useState('');
  const roles = useResource(() => listAzureRoleDefinitions(api, scope), [api, scope]);
  const shown = (roles.data ?? []).filter((r) =>
    r.properties.roleName.toLowerCase().includes(search.trim().toLowerCase()),
  );
  return (
    <Page
      title={`${scopeLastName(scope)} (${azureScopeKindLabel(scope)})`}
      description="The Azure roles that can be assigned at this scope: their role settings and assignments here."
      error={roles.error}
      loading={roles.loading}
      actions={
        <span className={styles.links}>
          <Link href={hrefFor('admin', 'resources')}>All resources under management</Link>
          <Text className={styles.meta}>{scope}</Text>
        </span>
      }
    >
      <Field label="Search roles by name" className={styles.search}>
        <Input type="search" value={search} onChange={(_, d) => setSearch(d.value)} />
      </Field>
      <ul className={styles.list} aria-label="Azure roles at this scope">
        {shown.map((r) => {
          const ref = { kind: 'azure' as const, resourceId: scope, role: roleDefinitionGuid(r.id) };
          const name = r.properties.roleName;
          return (
            <li key={r.id} className={styles.item}>
              <span className={styles.name}>
                <Text weight="semibold">{name}</Text>
                {r.properties.description ? (
                  <span className={styles.meta}>{r.properties.description}</span>
                ) : null}
              </span>
              <span className={styles.links}>
                <Link href={areaHref('settings', ref)} aria-label={`${name} settings`}>
                  Settings
                </Link>
                <Link href={areaHref('assignments', ref)} aria-label={`${name} assignments`}>
                  Assignments
                </Link>
              </span>
            </li>
          );
        })}
      </ul>
      {roles.data && shown.length === 0 ? <Text>No role matches.</Text> : null}
    </Page>
  );
}
