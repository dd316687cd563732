/**
 * One access review (a series): the current occurrence's progress (approved / denied / don't know / not reviewed),
 * its instances with their actions, the settings of the series and of the current review, every instance so far and
 * those scheduled; stop the series or delete it (admins). Polls while something runs, so progress moves on its own.
 */
import {
  Badge,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import { usePortal } from '../../../app/portal-context';
import { formatDate, formatDateTime } from '../../../app/format';
import { hrefFor, navigate } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import { ConfirmButton } from './ConfirmButton';
import { FactList } from './Facts';
import { InstanceActions } from './InstanceActions';
import { ProgressChart } from './ProgressChart';
import {
  countDecisions,
  currentOccurrence,
  defaultDecisionSummary,
  definitionPath,
  instanceName,
  instancePath,
  loadDecisions,
  loadInstances,
  loadNames,
  recurrenceSummary,
  reviewerIds,
  reviewersSummary,
  roleName,
  statusLabel,
  type DecisionCounts,
  type Definition,
  type Instance,
  type Names,
} from './review-api';
import { useTableStyles, type Facts } from './table-styles';
import { listAll } from '../../../api/odata';

const RUNNING = new Set(['InProgress', 'Applying']);

export function ReviewOverview(props: { definitionId: string }) {
  const styles = useTableStyles();
  const { api, isAdmin, me } = usePortal();
  const [notice, setNotice] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  // The series' status moves on its own (NotStarted → InProgress → Completed): followed until it is over.
  const definition = useResource(
    () => api.get<Definition>(definitionPath(props.definitionId)),
    [api, props.definitionId],
    { refreshMs: (def) => (def && def.status !== 'Completed' ? 10_000 : undefined) },
  );
  const instances = useResource(() => loadInstances(api, props.definitionId), [api, props.definitionId], {
    // Also while nothing is planned yet: the series plans the first occurrence moments after creation.
    refreshMs: (all) =>
      !all || all.length === 0 || all.some((i) => RUNNING.has(i.status) || i.status === 'NotStarted')
        ? 5_000
        : undefined,
  });
  const names = useResource(async () => {
    const n = await loadNames(api);
    n.users.set(me.id.toLowerCase(), me.displayName ?? me.userPrincipalName ?? me.id);
    return n;
  }, [api, me.id]);
  const current = currentOccurrence(instances.data ?? []);
  const progressKey = current.map((i) => `${i.id}:${i.status}`).join(',');
  // The reviewers mailed so far carry their names (the API has no directory search to look ids up).
  const contacted = useResource(
    async () => {
      const first = current[0];
      if (!first) return [];
      return listAll<{ id: string; displayName: string | null }>(
        api,
        `${instancePath(first.definitionId, first.id)}/contactedReviewers`,
      );
    },
    [api, current[0]?.id],
    {
      // Reviewers are mailed as the instance starts: asked again until someone has been.
      refreshMs: (list) => (current[0]?.status === 'InProgress' && !list?.length ? 5_000 : undefined),
    },
  );
  for (const r of contacted.data ?? [])
    if (r.displayName) names.data?.users.set(r.id.toLowerCase(), r.displayName);
  const progress = useResource(
    async () => {
      const counts = await Promise.all(
        current.map(
          async (i) => [i.id, countDecisions(await loadDecisions(api, i.definitionId, i.id))] as const,
        ),
      );
      return new Map(counts);
    },
    [api, progressKey],
    { refreshMs: current.some((i) => i.status === 'InProgress') ? 5_000 : undefined },
  );

  const d = definition.data;
  const changed = (message: string) => {
    setNotice(message);
    setActionError(undefined);
    void definition.reload();
    void instances.reload();
    void progress.reload();
  };
  const total = sumCounts([...(progress.data?.values() ?? [])]);
  const seriesOver = d?.status === 'Completed';

  return (
    <Page
      title={d?.displayName ?? 'Access review'}
      description={d ? `${statusLabel(d.status)} · ${recurrenceSummary(d.settings.recurrence)}` : undefined}
      error={definition.error ?? instances.error}
      loading={definition.loading}
      actions={
        <div className={styles.actions}>
          <Link href={hrefFor('admin', 'reviews')}>All access reviews</Link>
        </div>
      }
    >
      <SuccessBanner message={notice} />
      <ErrorBanner message={actionError} />
      {d && isAdmin ? (
        <div className={styles.actions}>
          <ConfirmButton
            label="Stop series"
            title={`Stop ${d.displayName}?`}
            message="Reviews in progress complete now (default decisions, mails, auto-apply), no further reviews are scheduled, and the series can't be restarted."
            confirm="Stop series"
            disabled={seriesOver}
            onConfirm={async () => {
              await api.post(`${definitionPath(d.id)}/stop`);
              changed(`${d.displayName} was stopped.`);
            }}
          />
          <ConfirmButton
            label="Delete"
            title={`Delete ${d.displayName}?`}
            message="The review, all its instances and their decisions are deleted. Access already removed stays removed. This can't be undone."
            confirm="Delete review"
            onConfirm={async () => {
              await api.delete(definitionPath(d.id));
              navigate('admin', 'reviews');
            }}
          />
        </div>
      ) : null}
      {d ? (
        <>
          <section className={styles.section} aria-labelledby="current-review">
            <h2 id="current-review" className={styles.h2}>
              Current review
            </h2>
            {current.length === 0 ? (
              <Text>
                {instances.loading
                  ? 'Loading…'
                  : 'No review has been planned yet: it appears here once its series plans it.'}
              </Text>
            ) : (
              <div className={styles.card}>
                <Text>
                  Occurrence {(current[0]?.occurrence ?? 0) + 1}: {formatDateTime(current[0]?.startDateTime)}{' '}
                  to {formatDateTime(current[0]?.endDateTime)}
                </Text>
                {progress.data ? (
                  <ProgressChart counts={total} label="Progress of the current review" />
                ) : (
                  <Text>{progress.error ?? 'Counting decisions…'}</Text>
                )}
                <InstancesTable
                  caption="Roles in the current review"
                  instances={current}
                  progress={progress.data}
                  autoApply={d.settings.autoApplyDecisionsEnabled}
                  onChanged={changed}
                  onError={setActionError}
                />
              </div>
            )}
          </section>
          <section className={styles.section} aria-labelledby="review-settings">
            <h2 id="review-settings" className={styles.h2}>
              Settings
            </h2>
            <div className={styles.card}>
              <h3 className={styles.h3}>Series</h3>
              <FactList facts={seriesFacts(d, names.data)} />
            </div>
            {current[0] ? (
              <div className={styles.card}>
                <h3 className={styles.h3}>Current</h3>
                <FactList facts={currentFacts(current[0], names.data)} />
              </div>
            ) : null}
          </section>
          <section className={styles.section} aria-labelledby="all-instances">
            <h2 id="all-instances" className={styles.h2}>
              Instances
            </h2>
            <AllInstances instances={instances.data ?? []} />
          </section>
        </>
      ) : null}
    </Page>
  );
}

function sumCounts(all: DecisionCounts[]): DecisionCounts {
  const sum: DecisionCounts = { Approve: 0, Deny: 0, NotReviewed: 0, DontKnow: 0 };
  for (const c of all) for (const k of Object.keys(sum) as (keyof DecisionCounts)[]) sum[k] += c[k];
  return sum;
}

function InstancesTable(props: {
  caption: string;
  instances: Instance[];
  progress: Map<string, DecisionCounts> | undefined;
  autoApply: boolean;
  onChanged(message: string): void;
  onError(message: string): void;
}) {
  const styles = useTableStyles();
  return (
    <div className={styles.scroll} role="region" aria-label={props.caption} tabIndex={0}>
      <Table className={styles.table} aria-label={props.caption}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>Progress</TableHeaderCell>
            <TableHeaderCell>Actions</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.instances.map((i) => {
            const c = props.progress?.get(i.id);
            const total = c ? c.Approve + c.Deny + c.DontKnow + c.NotReviewed : 0;
            return (
              <TableRow key={i.id}>
                <TableCell>
                  <Link href={hrefFor('admin', 'reviews', i.definitionId, i.id)}>{instanceName(i)}</Link>
                </TableCell>
                <TableCell>
                  <Badge appearance="tint" color={RUNNING.has(i.status) ? 'brand' : 'informative'}>
                    {statusLabel(i.status)}
                  </Badge>
                </TableCell>
                <TableCell>
                  {c
                    ? `${total - c.NotReviewed} of ${total} reviewed (${c.Approve} approved, ${c.Deny} denied)`
                    : '…'}
                </TableCell>
                <TableCell>
                  <InstanceActions
                    instance={i}
                    autoApply={props.autoApply}
                    onChanged={props.onChanged}
                    onError={props.onError}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

function AllInstances(props: { instances: Instance[] }) {
  const styles = useTableStyles();
  if (props.instances.length === 0) return <Text>None yet.</Text>;
  const sorted = [...props.instances].sort(
    (a, b) => b.occurrence - a.occurrence || instanceName(a).localeCompare(instanceName(b)),
  );
  return (
    <div className={styles.scroll} role="region" aria-label="All instances" tabIndex={0}>
      <Table className={styles.table} aria-label="All instances">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Occurrence</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>Start</TableHeaderCell>
            <TableHeaderCell>End</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {sorted.map((i) => (
            <TableRow key={i.id}>
              <TableCell>{i.occurrence + 1}</TableCell>
              <TableCell>
                <Link href={hrefFor('admin', 'reviews', i.definitionId, i.id)}>{instanceName(i)}</Link>
              </TableCell>
              <TableCell>{formatDate(i.startDateTime)}</TableCell>
              <TableCell>{formatDate(i.endDateTime)}</TableCell>
              <TableCell>{i.status === 'NotStarted' ? 'Scheduled' : statusLabel(i.status)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

const ASSIGNMENT_TYPES: Record<string, string> = {
  eligible: 'Eligible assignments only',
  active: 'Active assignments only',
  both: 'All active and eligible assignments',
};
const on = (b: boolean | undefined) => (b ? 'Enabled' : 'Disabled');

function seriesFacts(d: Definition, names: Names | undefined): Facts {
  const s = d.settings;
  const r = s.recurrence;
  const end =
    r?.pattern == null
      ? null
      : r.range.type === 'endDate'
        ? `On ${r.range.endDate ?? ''}`
        : r.range.type === 'numbered'
          ? `After ${r.range.numberOfOccurrences ?? 0} occurrences`
          : 'Never';
  return [
    ['Description', d.descriptionForReviewers ?? d.descriptionForAdmins ?? '—'],
    ['Reviews', (d.scope.roles ?? []).map((x) => roleName(x, names)).join(', ') || (d.scope.query ?? '—')],
    ['Assignment type', ASSIGNMENT_TYPES[d.scope.assignmentTypes ?? 'both'] ?? '—'],
    ['Reviewers', reviewersSummary(d, names)],
    [
      'Fallback reviewers',
      reviewerIds(d.fallbackReviewers)
        .map((id) => names?.users.get(id) ?? id)
        .join(', ') || 'None',
    ],
    ['Start date', r?.range.startDate ?? formatDate(d.createdDateTime)],
    ['Frequency', recurrenceSummary(r)],
    ['Duration', `${s.instanceDurationInDays} days`],
    ...(end ? ([['End', end]] as Facts) : []),
    ['Auto apply results', on(s.autoApplyDecisionsEnabled)],
    ["If reviewers don't respond", defaultDecisionSummary(s)],
    ['Recommendations', on(s.recommendationsEnabled)],
    ['Reason on approval', s.justificationRequiredOnApproval ? 'Required' : 'Not required'],
    ['Mail notifications', on(s.mailNotificationsEnabled)],
    ['Reminders', on(s.reminderNotificationsEnabled)],
    ['Decision histories', on(s.decisionHistoriesForReviewersEnabled)],
    ['Created by', d.createdBy?.displayName ?? d.createdBy?.userPrincipalName ?? '—'],
  ];
}

function currentFacts(i: Instance, names: Names | undefined): Facts {
  return [
    ['Start', formatDateTime(i.startDateTime)],
    ['End', formatDateTime(i.endDateTime)],
    ['Status', statusLabel(i.status)],
    ['Reviewers', reviewersSummary(i, names)],
    ...(i.stoppedBy ? ([['Stopped by', i.stoppedBy.displayName ?? '—']] as Facts) : []),
    ...(i.appliedDateTime ? ([['Applied', formatDateTime(i.appliedDateTime)]] as Facts) : []),
  ];
}
