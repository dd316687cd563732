/**
 * Admin · Drift (docs/api/drift.md): what the drift check found changed outside pimflow — members and owners added
 * to managed groups, role assignments made to managed Entra roles, and assignments removed behind pimflow's back —
 * with whether each was removed; each resource's "remove what is added outside pimflow" setting; and, for admins, a
 * check run now (`POST driftChecks`), followed until it ends. Auditors see the same, without the changing controls.
 */
import {
  Badge,
  Button,
  Card,
  Link,
  Spinner,
  Switch,
  Text,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { formatDateTime } from '../../../app/format';
import { usePortal } from '../../../app/portal-context';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import { apiPathOf, type ODataPage } from '../../../api/odata';

interface DriftDifference {
  id: string;
  kind: 'addedOutsidePim' | 'missingAssignment';
  accessId: string;
  directoryScopeId?: string;
  principalId: string;
  principalType: string | null;
  principalDisplayName: string | null;
  scheduleId: string | null;
  firstSeenDateTime: string;
  lastSeenDateTime: string;
  removal: { status: string; dateTime: string; reason: string | null } | null;
}

interface DriftReport {
  id: string;
  resourceType?: 'directoryRole';
  roleDefinitionId?: string;
  groupId: string;
  displayName: string;
  lastCheckedDateTime: string;
  lastDriftCheckId: string;
  differences: DriftDifference[];
}

interface DriftCheck {
  id: string;
  status: 'running' | 'completed' | 'failed';
  createdDateTime: string | null;
  totals?: {
    groups?: number;
    roles?: number;
    differences?: number;
    newDifferences?: number;
    removed?: number;
    failedGroups?: number;
  } | null;
}

/** A managed group or role and its drift setting, as `GET managedGroups` / `GET managedRoles` answer them. */
interface ManagedResource {
  kind: 'group' | 'role';
  id: string;
  displayName: string;
  removes: boolean;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  h2: { ...typographyStyles.subtitle1, margin: 0 },
  h3: { ...typographyStyles.subtitle2, margin: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  muted: { color: tokens.colorNeutralForeground3 },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  difference: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  setting: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} 0`,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export default function DriftPage() {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const [reportsPath, setReportsPath] = useState('/driftReports?$top=50');
  const reports = useResource(() => api.get<ODataPage<DriftReport>>(reportsPath), [reportsPath]);
  const [check, setCheck] = useState<DriftCheck>();
  const [checkError, setCheckError] = useState<string>();
  const [starting, setStarting] = useState(false);

  // While a check runs, follow it (no refresh button): when it ends, the reports show what it found.
  useResource(
    async () => {
      if (check?.status !== 'running') return check;
      const now = await api.get<DriftCheck>(`/driftChecks/${encodeURIComponent(check.id)}`);
      if (now.status !== 'running') {
        setCheck(now);
        await reports.reload();
      }
      return now;
    },
    [check?.id],
    { refreshMs: check?.status === 'running' ? 1500 : undefined },
  );

  const runCheck = async () => {
    setStarting(true);
    setCheckError(undefined);
    try {
      setCheck(await api.post<DriftCheck>('/driftChecks', {}));
    } catch (err) {
      setCheckError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  const page = reports.data;
  return (
    <Page
      title="Drift"
      description="Access changed outside pimflow: members and owners added to managed groups, role assignments made to managed roles, and assignments removed directly in Microsoft Entra ID. The drift check runs daily."
      error={reports.error}
      actions={
        isAdmin ? (
          <div className={styles.actions}>
            <Button
              appearance="primary"
              onClick={() => void runCheck()}
              disabled={starting || check?.status === 'running'}
            >
              Run drift check
            </Button>
            {check?.status === 'running' ? <Spinner size="tiny" label="Drift check running…" /> : null}
          </div>
        ) : undefined
      }
    >
      <ErrorBanner message={checkError} title="The drift check didn't start." />
      {check && check.status !== 'running' ? (
        check.status === 'completed' ? (
          <SuccessBanner message={checkSummary(check)} />
        ) : (
          <ErrorBanner message="The drift check failed. The next check tries again." />
        )
      ) : null}

      <section className={styles.section} aria-labelledby="drift-reports">
        <h2 id="drift-reports" className={styles.h2}>
          Drift reports
        </h2>
        {!page ? (
          reports.error ? null : (
            <Spinner label="Loading drift reports…" />
          )
        ) : page.value.length === 0 ? (
          <Text>No drift: every managed group and role matches what pimflow granted.</Text>
        ) : (
          page.value.map((r) => <ReportCard key={r.id} report={r} />)
        )}
        {page?.['@odata.nextLink'] || reportsPath !== '/driftReports?$top=50' ? (
          <div className={styles.actions}>
            {reportsPath !== '/driftReports?$top=50' ? (
              <Button onClick={() => setReportsPath('/driftReports?$top=50')}>First page</Button>
            ) : null}
            {page?.['@odata.nextLink'] ? (
              <Button onClick={() => setReportsPath(apiPathOf(page['@odata.nextLink'] ?? ''))}>
                Next page
              </Button>
            ) : null}
          </div>
        ) : null}
      </section>

      <DriftSettings />
    </Page>
  );
}

function checkSummary(check: DriftCheck): string {
  const t = check.totals ?? {};
  const checked = [
    `${t.groups ?? 0} ${t.groups === 1 ? 'group' : 'groups'}`,
    ...(t.roles ? [`${t.roles} ${t.roles === 1 ? 'role' : 'roles'}`] : []),
  ].join(' and ');
  const failed = t.failedGroups ? ` ${t.failedGroups} could not be checked; the next check tries again.` : '';
  const differences = t.differences ?? 0;
  return `Drift check finished: ${checked} checked, ${differences} ${differences === 1 ? 'difference' : 'differences'} (${t.newDifferences ?? 0} new), ${t.removed ?? 0} removed.${failed}`;
}

function ReportCard(props: { report: DriftReport }) {
  const styles = useStyles();
  const r = props.report;
  const isRole = r.resourceType === 'directoryRole';
  const headingId = `drift-${r.id.replace(/[^A-Za-z0-9-]/g, '-')}`;
  return (
    <Card aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.h3}>
        {r.displayName}
      </h3>
      <Text size={200} className={styles.muted}>
        {isRole ? 'Microsoft Entra role' : 'Group'} · last checked {formatDateTime(r.lastCheckedDateTime)}
      </Text>
      <ul className={styles.list} aria-label={`Differences in ${r.displayName}`}>
        {r.differences.map((d) => (
          <li key={d.id} className={styles.difference}>
            <span className={styles.line}>
              <Text weight="semibold">{d.principalDisplayName ?? d.principalId}</Text>
              <Badge
                appearance="tint"
                color={d.kind === 'addedOutsidePim' ? 'danger' : 'warning'}
                shape="rounded"
              >
                {d.kind === 'addedOutsidePim' ? 'Added outside pimflow' : 'Removed outside pimflow'}
              </Badge>
            </span>
            <Text size={200}>
              {accessOf(d, isRole)} · {principalTypeOf(d.principalType)} · found{' '}
              {formatDateTime(d.firstSeenDateTime)} · last seen {formatDateTime(d.lastSeenDateTime)}
            </Text>
            <Text size={200} className={removalFailed(d) ? styles.error : undefined}>
              {removalOf(d)}
            </Text>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function accessOf(d: DriftDifference, isRole: boolean): string {
  if (isRole) {
    const scope = d.directoryScopeId ?? '/';
    return scope === '/' ? 'Role assignment (directory)' : `Role assignment (scope ${scope})`;
  }
  return d.accessId === 'owner' ? 'Owner' : 'Member';
}

function principalTypeOf(type: string | null): string {
  switch (type) {
    case 'user':
      return 'user';
    case 'group':
      return 'group';
    case 'servicePrincipal':
      return 'application';
    default:
      return 'principal';
  }
}

function removalFailed(d: DriftDifference): boolean {
  return d.removal !== null && d.removal.status !== 'pending';
}

/** Whether pimflow removed (or will remove) the access, in a sentence. */
function removalOf(d: DriftDifference): string {
  if (d.kind === 'missingAssignment') {
    return 'pimflow still holds an active assignment; it never adds the access back on its own.';
  }
  const r = d.removal;
  if (!r) return 'Not removed: this resource only reports access added outside pimflow.';
  const reason = r.reason ? ` ${r.reason.replace(/\.?$/, '.')}` : '';
  switch (r.status) {
    case 'pending':
      return `Being removed (since ${formatDateTime(r.dateTime)}).`;
    case 'keptAsLastOwner':
      return `Not removed: the group keeps its last owner.${reason}`;
    case 'keptAsLastAdmin':
      return `Not removed: the directory keeps its last privileged administrator.${reason}`;
    default:
      return `Removal failed on ${formatDateTime(r.dateTime)}.${reason} The next check tries again.`;
  }
}

/** Each managed group's and role's "remove what is added outside pimflow" setting. */
function DriftSettings() {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const resources = useResource(async () => {
    const [groups, roles] = await Promise.all([
      api.get<ODataPage<{ groupId: string; displayName: string; removeMembersAddedOutsidePim: boolean }>>(
        '/managedGroups?$top=999',
      ),
      api.get<
        ODataPage<{ roleDefinitionId: string; displayName: string; removeAssignmentsMadeOutsidePim: boolean }>
      >('/managedRoles?$top=999'),
    ]);
    const list: ManagedResource[] = [
      ...groups.value.map((g) => ({
        kind: 'group' as const,
        id: g.groupId,
        displayName: g.displayName,
        removes: g.removeMembersAddedOutsidePim,
      })),
      ...roles.value.map((r) => ({
        kind: 'role' as const,
        id: r.roleDefinitionId,
        displayName: r.displayName,
        removes: r.removeAssignmentsMadeOutsidePim,
      })),
    ];
    return { list, more: Boolean(groups['@odata.nextLink'] || roles['@odata.nextLink']) };
  }, []);
  /** The resource being saved and the value asked for: shown at once, kept only if the API takes it. */
  const [saving, setSaving] = useState<{ id: string; removes: boolean }>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const change = async (r: ManagedResource, removes: boolean) => {
    setSaving({ id: r.id, removes });
    setErrors((e) => ({ ...e, [r.id]: '' }));
    try {
      if (r.kind === 'group') {
        await api.patch(`/managedGroups/${r.id}`, { removeMembersAddedOutsidePim: removes });
      } else {
        await api.patch(`/managedRoles/${r.id}`, { removeAssignmentsMadeOutsidePim: removes });
      }
      await resources.reload();
    } catch (err) {
      setErrors((e) => ({ ...e, [r.id]: errorMessage(err) }));
    } finally {
      setSaving(undefined);
    }
  };

  return (
    <section className={styles.section} aria-labelledby="drift-settings">
      <h2 id="drift-settings" className={styles.h2}>
        Drift settings
      </h2>
      <Text className={styles.muted}>
        When on, the drift check removes members and owners added to the group (or role assignments made)
        outside pimflow, never a group&apos;s last owner or the directory&apos;s last privileged
        administrator. When off, it only reports them.
      </Text>
      <ErrorBanner message={resources.error} />
      {!resources.data ? (
        resources.error ? null : (
          <Spinner label="Loading managed groups and roles…" />
        )
      ) : resources.data.list.length === 0 ? (
        <Text>
          Nothing is under management yet. <Link href="#/admin/resources">Add groups and roles</Link>.
        </Text>
      ) : (
        <ul className={styles.list} aria-label="Managed groups and roles">
          {resources.data.list.map((r) => (
            <li key={`${r.kind}:${r.id}`} className={styles.setting}>
              <span>
                <Text weight="semibold">{r.displayName}</Text>{' '}
                <Text size={200} className={styles.muted}>
                  {r.kind === 'group' ? 'Group' : 'Microsoft Entra role'}
                </Text>
                {errors[r.id] ? (
                  <Text block size={200} className={styles.error} role="alert">
                    {errors[r.id]}
                  </Text>
                ) : null}
              </span>
              <Switch
                label={
                  r.kind === 'group'
                    ? 'Remove members added outside pimflow'
                    : 'Remove assignments made outside pimflow'
                }
                aria-label={`${r.kind === 'group' ? 'Remove members added outside pimflow' : 'Remove assignments made outside pimflow'}: ${r.displayName}`}
                checked={saving?.id === r.id ? saving.removes : r.removes}
                disabled={!isAdmin || saving !== undefined}
                onChange={(_, data) => void change(r, data.checked)}
              />
            </li>
          ))}
        </ul>
      )}
      {resources.data?.more ? (
        <Text size={200} className={styles.muted}>
          Showing the first 999 groups and 999 roles.
        </Text>
      ) : null}
    </section>
  );
}
