/**
 * One instance of a review (one role in one occurrence): its progress, its actions, and its decisions — who, the
 * recommendation and its evidence, the decision, by whom and why, what applying did — filtered by decision or name.
 */
import {
  Field,
  Input,
  Link,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { usePortal } from '../../../app/portal-context';
import { formatDateTime } from '../../../app/format';
import { hrefFor } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import { FactList } from './Facts';
import { InstanceActions } from './InstanceActions';
import { ProgressChart } from './ProgressChart';
import {
  DECISION_LABELS,
  countDecisions,
  definitionPath,
  instanceName,
  instancePath,
  loadDecisions,
  statusLabel,
  type Decision,
  type Definition,
  type Instance,
} from './review-api';
import { useTableStyles } from './table-styles';

const useStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

const RECOMMENDATIONS: Record<string, string> = {
  Approve: 'Approve',
  Deny: 'Deny',
  NoInfoAvailable: 'No information',
};

export function InstanceDetail(props: { definitionId: string; instanceId: string }) {
  const styles = useTableStyles();
  const own = useStyles();
  const { api } = usePortal();
  const [filter, setFilter] = useState<Decision | 'all'>('all');
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const definition = useResource(
    () => api.get<Definition>(definitionPath(props.definitionId)),
    [api, props.definitionId],
  );
  const instance = useResource(
    () => api.get<Instance>(instancePath(props.definitionId, props.instanceId)),
    [api, props.definitionId, props.instanceId],
    {
      refreshMs: (i) =>
        i && ['InProgress', 'Applying', 'NotStarted'].includes(i.status) ? 5_000 : undefined,
    },
  );
  const decisions = useResource(
    () => loadDecisions(api, props.definitionId, props.instanceId),
    [api, props.definitionId, props.instanceId, instance.data?.status],
    { refreshMs: instance.data?.status === 'InProgress' ? 5_000 : undefined },
  );
  const i = instance.data;
  const items = decisions.data ?? [];
  // Azure roles held through a group: applying a denial can't remove a member from the group; an admin does it.
  const leftToAdmins = items.filter((d) => d.applyResult === 'ApplyNotSupported');
  const needle = search.trim().toLowerCase();
  const shown = items.filter(
    (d) =>
      (filter === 'all' || d.decision === filter) &&
      (needle === '' ||
        `${d.principal.displayName ?? ''} ${d.principal.userPrincipalName ?? ''}`
          .toLowerCase()
          .includes(needle)),
  );
  return (
    <Page
      title={i ? instanceName(i) : 'Access review'}
      description={
        definition.data ? `${definition.data.displayName} · ${i ? statusLabel(i.status) : ''}` : undefined
      }
      error={instance.error}
      loading={instance.loading}
      actions={
        <div>
          <Link href={hrefFor('admin', 'reviews', props.definitionId)}>
            Back to {definition.data?.displayName ?? 'the review'}
          </Link>
        </div>
      }
    >
      <SuccessBanner message={notice} />
      <ErrorBanner message={actionError ?? decisions.error} />
      {i ? (
        <>
          <InstanceActions
            instance={i}
            autoApply={definition.data?.settings.autoApplyDecisionsEnabled ?? false}
            onChanged={(m) => {
              setNotice(m);
              setActionError(undefined);
              void instance.reload();
              void decisions.reload();
            }}
            onError={setActionError}
          />
          <div className={styles.card}>
            <FactList
              facts={[
                ['Start', formatDateTime(i.startDateTime)],
                ['End', formatDateTime(i.endDateTime)],
                ['Status', statusLabel(i.status)],
                ...(i.appliedDateTime
                  ? ([['Applied', formatDateTime(i.appliedDateTime)]] as [string, string][])
                  : []),
              ]}
            />
            {decisions.data ? (
              <ProgressChart counts={countDecisions(items)} label={`Progress of ${instanceName(i)}`} />
            ) : null}
          </div>
          {leftToAdmins.length > 0 ? (
            <section className={styles.section} aria-labelledby="left-heading">
              <h2 id="left-heading" className={styles.h2}>
                Needs an admin&apos;s action ({leftToAdmins.length})
              </h2>
              <Text as="p">
                These people were denied but hold the role through a security group, which may carry other
                access: pimflow didn&apos;t remove them. Remove them from the group, or assign the role
                differently.
              </Text>
              <ul aria-label="Denials left to an admin">
                {leftToAdmins.map((d) => (
                  <li key={d.id}>
                    <strong>
                      {d.principal.userPrincipalName ?? d.principal.displayName ?? d.principal.id}
                    </strong>{' '}
                    — remove from the group{' '}
                    <strong>
                      {d.accessThroughGroup?.displayName ?? d.accessThroughGroup?.id ?? '(unknown)'}
                    </strong>
                    {d.accessThroughGroup ? ` (${d.accessThroughGroup.id})` : ''}
                    {d.justification ? `. Reason: ${d.justification}` : ''}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section className={styles.section} aria-labelledby="decisions-heading">
            <h2 id="decisions-heading" className={styles.h2}>
              Decisions
            </h2>
            <div className={own.filters}>
              <Field label="Decision">
                <Select value={filter} onChange={(_, d) => setFilter(d.value as Decision | 'all')}>
                  <option value="all">All</option>
                  {(Object.keys(DECISION_LABELS) as Decision[]).map((k) => (
                    <option key={k} value={k}>
                      {DECISION_LABELS[k]}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Search by name">
                <Input value={search} onChange={(_, d) => setSearch(d.value)} />
              </Field>
            </div>
            <Text role="status">
              {decisions.data ? `${shown.length} of ${items.length} items` : 'Loading the decisions…'}
            </Text>
            {shown.length > 0 ? (
              <div className={styles.scroll} role="region" aria-label="Decisions" tabIndex={0}>
                <Table className={styles.table} aria-label="Decisions">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Principal</TableHeaderCell>
                      <TableHeaderCell>Assignment</TableHeaderCell>
                      <TableHeaderCell>Recommendation</TableHeaderCell>
                      <TableHeaderCell>Decision</TableHeaderCell>
                      <TableHeaderCell>Reviewed by</TableHeaderCell>
                      <TableHeaderCell>Reason</TableHeaderCell>
                      <TableHeaderCell>Applied</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {shown.map((d) => (
                      <TableRow key={d.id}>
                        <TableCell>
                          {d.principal.displayName ?? d.principal.id}
                          {d.principal.userPrincipalName ? (
                            <div className={styles.muted}>{d.principal.userPrincipalName}</div>
                          ) : null}
                          {d.accessThroughGroup ? (
                            <div className={styles.muted}>
                              Through the group {d.accessThroughGroup.displayName ?? d.accessThroughGroup.id}
                            </div>
                          ) : null}
                        </TableCell>
                        <TableCell>{d.assignmentType === 'eligible' ? 'Eligible' : 'Active'}</TableCell>
                        <TableCell>
                          {RECOMMENDATIONS[d.recommendation] ?? d.recommendation}
                          {d.lastSignInDateTime ? (
                            <div className={styles.muted}>
                              Last sign-in {formatDateTime(d.lastSignInDateTime)}
                            </div>
                          ) : null}
                        </TableCell>
                        <TableCell>{DECISION_LABELS[d.decision]}</TableCell>
                        <TableCell>
                          {d.reviewedDateTime
                            ? `${d.reviewedBy.displayName || d.reviewedBy.id}, ${formatDateTime(d.reviewedDateTime)}`
                            : '—'}
                        </TableCell>
                        <TableCell>{d.justification ?? '—'}</TableCell>
                        <TableCell>
                          {d.appliedDateTime
                            ? d.applyResult === 'ApplyNotSupported'
                              ? 'Left to an admin (through a group)'
                              : d.applyResult
                            : '—'}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            ) : null}
          </section>
        </>
      ) : null}
    </Page>
  );
}
