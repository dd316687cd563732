/**
 * Admin · Audit log (`GET auditLogs/directoryAudits`, docs/api/role-settings.md "Audit log"): newest first, filtered by
 * date range, category, result and actor — by the API (`$filter`), when it can — paged through `@odata.nextLink`,
 * each entry's details in a dialog, and the filtered range downloaded as the API's CSV (`$format=csv`).
 *
 * The API filters the actor by object id only and has no filter on targets: an actor given by name or UPN, and the
 * target, filter the loaded page in the browser (the page says so, and the CSV holds the API's filtered range).
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { Fragment, useMemo, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/errors';
import { formatDateTime } from '../../../app/format';
import { usePortal } from '../../../app/portal-context';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page } from '../../../components/page';
import { apiPathOf, type ODataPage } from '../../../api/odata';

interface AuditEntry {
  id: string;
  category: string;
  correlationId: string | null;
  result: 'success' | 'failure' | 'timeout';
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  operationType: string;
  initiatedBy: {
    user: { id: string; displayName?: string | null; userPrincipalName?: string | null } | null;
    app: { displayName: string } | null;
  };
  targetResources: { id: string; displayName?: string | null; type: string }[];
  additionalDetails: { key: string; value: string }[];
  groupId: string | null;
  principalId: string | null;
}

/** The API's categories (shared/audit/domain/audit-entry.ts), as people read them. */
const CATEGORIES: [string, string][] = [
  ['GroupManagement', 'Group management'],
  ['RoleManagement', 'Role management'],
  ['ResourceManagement', 'Azure resource management'],
  ['RoleSettings', 'Role settings'],
  ['Assignment', 'Assignments'],
  ['Request', 'Requests'],
  ['Approval', 'Approvals'],
  ['Membership', 'Membership'],
  ['Drift', 'Drift'],
  ['AccessReview', 'Access reviews'],
];
const RESULTS: [string, string][] = [
  ['success', 'Success'],
  ['failure', 'Failure'],
  ['timeout', 'Timeout'],
];
const PAGE_SIZE = 50;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Filters {
  from: string;
  to: string;
  category: string;
  result: string;
  actor: string;
  target: string;
}
const NO_FILTERS: Filters = { from: '', to: '', category: '', result: '', actor: '', target: '' };

const useStyles = makeStyles({
  form: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
  },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  formButtons: { gridColumn: '1 / -1' },
  muted: { color: tokens.colorNeutralForeground3 },
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  // Columns as wide as their content needs (activity names are long), scrolling inside the region on a phone.
  table: { minWidth: '900px', tableLayout: 'auto' },
  when: { whiteSpace: 'nowrap' },
  details: {
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, max-content) minmax(0, 1fr)',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    margin: 0,
    '& dt': { fontWeight: tokens.fontWeightSemibold },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
    '@media (max-width: 480px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  h2: { ...typographyStyles.subtitle1, margin: 0 },
  block: { display: 'block' },
});

/** The API's `$filter` for what it can filter: dates (local days, whole), category, result, actor by object id. */
function auditFilter(f: Filters): string {
  const clauses: string[] = [];
  if (f.from) clauses.push(`activityDateTime ge ${new Date(`${f.from}T00:00:00`).toISOString()}`);
  if (f.to) clauses.push(`activityDateTime le ${new Date(`${f.to}T23:59:59.999`).toISOString()}`);
  if (f.category) clauses.push(`category eq '${f.category}'`);
  if (f.result) clauses.push(`result eq '${f.result}'`);
  if (GUID.test(f.actor.trim())) clauses.push(`initiatedBy/user/id eq '${f.actor.trim().toLowerCase()}'`);
  return clauses.join(' and ');
}

function listPath(f: Filters, format?: 'csv'): string {
  const params = new URLSearchParams();
  const filter = auditFilter(f);
  if (filter) params.set('$filter', filter);
  if (format) params.set('$format', format);
  else params.set('$top', String(PAGE_SIZE));
  return `/auditLogs/directoryAudits?${params.toString()}`;
}

/** The filters the API can't apply, on the loaded page: actor by name or UPN, and target by name or id. */
function inBrowser(entries: AuditEntry[], f: Filters): AuditEntry[] {
  const actor = GUID.test(f.actor.trim()) ? '' : f.actor.trim().toLowerCase();
  const target = f.target.trim().toLowerCase();
  if (!actor && !target) return entries;
  return entries.filter(
    (e) =>
      (!actor ||
        [
          e.initiatedBy.user?.displayName,
          e.initiatedBy.user?.userPrincipalName,
          e.initiatedBy.app?.displayName,
        ].some((v) => v?.toLowerCase().includes(actor))) &&
      (!target ||
        [e.groupId, e.principalId, ...e.targetResources.flatMap((t) => [t.id, t.displayName])].some((v) =>
          v?.toLowerCase().includes(target),
        )),
  );
}

function actorOf(e: AuditEntry): string {
  const u = e.initiatedBy.user;
  if (u) return u.displayName ?? u.userPrincipalName ?? u.id;
  return e.initiatedBy.app?.displayName ?? '—';
}

function targetsOf(e: AuditEntry): string {
  return e.targetResources.map((t) => t.displayName ?? t.id).join(', ') || '—';
}

function categoryLabel(category: string): string {
  return CATEGORIES.find(([c]) => c === category)?.[1] ?? category;
}

export default function AuditLogPage() {
  const { api } = usePortal();
  const styles = useStyles();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  /** The pages visited in this listing: the first is the filtered list, each next one its predecessor's nextLink. */
  const [pages, setPages] = useState<string[]>([listPath(NO_FILTERS)]);
  const current = pages[pages.length - 1] ?? listPath(applied);
  const list = useResource(() => api.get<ODataPage<AuditEntry>>(current), [current]);
  const [dateError, setDateError] = useState<string>();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();
  const [open, setOpen] = useState<AuditEntry>();

  const shown = useMemo(() => (list.data ? inBrowser(list.data.value, applied) : []), [list.data, applied]);
  const browserFiltered = Boolean(
    applied.target.trim() || (applied.actor.trim() && !GUID.test(applied.actor.trim())),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setDateError('The end date is before the start date.');
      return;
    }
    setDateError(undefined);
    setApplied(draft);
    setPages([listPath(draft)]);
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setApplied(NO_FILTERS);
    setDateError(undefined);
    setPages([listPath(NO_FILTERS)]);
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const res = await api.fetch(listPath(applied, 'csv'), { headers: { accept: 'text/csv' } });
      const name =
        /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
        'pimflow-audit.csv';
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      // The download has its own copy once started; the object URL is only needed for the click.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setExportError(errorMessage(err));
    } finally {
      setExporting(false);
    }
  };

  const set = (key: keyof Filters) => (_: unknown, data: { value: string }) =>
    setDraft((d) => ({ ...d, [key]: data.value }));
  const next = list.data?.['@odata.nextLink'];

  return (
    <Page
      title="Audit log"
      description="Everything pimflow did and everyone who asked it to: requests, approvals, assignments, settings, reviews and drift. Newest first; the last 30 days unless you choose dates."
    >
      <form className={styles.form} onSubmit={submit} aria-label="Filter the audit log">
        <Field label="From" validationMessage={dateError}>
          <Input type="date" value={draft.from} onChange={set('from')} />
        </Field>
        <Field label="To">
          <Input type="date" value={draft.to} onChange={set('to')} />
        </Field>
        <Field label="Category">
          <Select value={draft.category} onChange={set('category')}>
            <option value="">All categories</option>
            {CATEGORIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Result">
          <Select value={draft.result} onChange={set('result')}>
            <option value="">All results</option>
            {RESULTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Actor" hint="Object id, or a name or UPN (this page only)">
          <Input value={draft.actor} onChange={set('actor')} />
        </Field>
        <Field label="Target" hint="Name or id (this page only)">
          <Input value={draft.target} onChange={set('target')} />
        </Field>
        <div className={mergeClasses(styles.buttons, styles.formButtons)}>
          <Button type="submit" appearance="primary">
            Filter
          </Button>
          <Button type="button" onClick={clear}>
            Clear filters
          </Button>
        </div>
      </form>

      <div className={styles.buttons}>
        <Button onClick={() => void exportCsv()} disabled={exporting}>
          Export CSV
        </Button>
        {exporting ? <Spinner size="tiny" label="Preparing the file…" /> : null}
        <Text size={200} className={styles.muted}>
          The file holds every entry of the dates, category, result and actor id chosen (up to 100,000).
        </Text>
      </div>
      <ErrorBanner message={exportError} title="The export failed." />
      <ErrorBanner message={list.error} />

      <div className={styles.buttons}>
        <h2 id="audit-entries" className={styles.h2}>
          Entries
        </h2>
        {browserFiltered && list.data ? (
          <Text size={200} className={styles.muted}>
            Showing {shown.length} of the {list.data.value.length} entries on this page that match the actor
            name or target (filtered in your browser).
          </Text>
        ) : null}
      </div>
      {list.loading ? (
        <Spinner label="Loading the audit log…" />
      ) : list.data && shown.length === 0 ? (
        // The API may offer a next page that turns out empty (its continuation ends there).
        <Text>
          {pages.length > 1 && list.data.value.length === 0 ? 'No more entries.' : 'No entries match.'}
        </Text>
      ) : list.data ? (
        <div className={styles.scroll} role="region" aria-label="Audit entries" tabIndex={0}>
          <Table className={styles.table} aria-label="Audit entries" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Activity</TableHeaderCell>
                <TableHeaderCell>Category</TableHeaderCell>
                <TableHeaderCell>Actor</TableHeaderCell>
                <TableHeaderCell>Target</TableHeaderCell>
                <TableHeaderCell>Result</TableHeaderCell>
                <TableHeaderCell>
                  <span className={styles.muted}>Details</span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((e) => (
                <TableRow key={e.id}>
                  <TableCell className={styles.when}>{formatDateTime(e.activityDateTime)}</TableCell>
                  <TableCell>{e.activityDisplayName}</TableCell>
                  <TableCell>{categoryLabel(e.category)}</TableCell>
                  <TableCell>{actorOf(e)}</TableCell>
                  <TableCell>{targetsOf(e)}</TableCell>
                  <TableCell>{resultLabel(e.result)}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      appearance="subtle"
                      aria-label={`Details of ${e.activityDisplayName}, ${formatDateTime(e.activityDateTime)}`}
                      onClick={() => setOpen(e)}
                    >
                      Details
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}

      <div className={styles.buttons}>
        {pages.length > 1 ? (
          <Button onClick={() => setPages((p) => p.slice(0, -1))}>Previous page</Button>
        ) : null}
        {next ? <Button onClick={() => setPages((p) => [...p, apiPathOf(next)])}>Next page</Button> : null}
        {list.data && (pages.length > 1 || next) ? (
          <Text size={200} className={styles.muted}>
            Page {pages.length}
          </Text>
        ) : null}
      </div>

      <EntryDialog entry={open} onClose={() => setOpen(undefined)} />
    </Page>
  );
}

function resultLabel(result: string): string {
  return RESULTS.find(([r]) => r === result)?.[1] ?? result;
}

function EntryDialog(props: { entry: AuditEntry | undefined; onClose: () => void }) {
  const styles = useStyles();
  const e = props.entry;
  const u = e?.initiatedBy.user;
  return (
    <Dialog open={e !== undefined} onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{e?.activityDisplayName ?? ''}</DialogTitle>
          <DialogContent>
            {e ? (
              <dl className={styles.details}>
                <dt>When</dt>
                <dd>{formatDateTime(e.activityDateTime)}</dd>
                <dt>Category</dt>
                <dd>{categoryLabel(e.category)}</dd>
                <dt>Operation</dt>
                <dd>{e.operationType}</dd>
                <dt>Result</dt>
                <dd>
                  {resultLabel(e.result)}
                  {e.resultReason ? `: ${e.resultReason}` : ''}
                </dd>
                <dt>Actor</dt>
                <dd>
                  {u
                    ? `${u.displayName ?? ''}${u.userPrincipalName ? ` (${u.userPrincipalName})` : ''} · ${u.id}`
                    : `${e.initiatedBy.app?.displayName ?? '—'} (the system)`}
                </dd>
                <dt>Targets</dt>
                <dd>
                  {e.targetResources.length === 0
                    ? '—'
                    : e.targetResources.map((t) => (
                        <span key={`${t.type}:${t.id}`} className={styles.block}>
                          {t.type}: {t.displayName ? `${t.displayName} · ` : ''}
                          {t.id}
                        </span>
                      ))}
                </dd>
                {e.groupId ? (
                  <>
                    <dt>Group or scope</dt>
                    <dd>{e.groupId}</dd>
                  </>
                ) : null}
                {e.principalId ? (
                  <>
                    <dt>Principal</dt>
                    <dd>{e.principalId}</dd>
                  </>
                ) : null}
                {e.correlationId ? (
                  <>
                    <dt>Correlation id</dt>
                    <dd>{e.correlationId}</dd>
                  </>
                ) : null}
                {e.additionalDetails.map((d) => (
                  <Fragment key={d.key}>
                    <dt>{d.key}</dt>
                    <dd>{d.value}</dd>
                  </Fragment>
                ))}
                <dt>Entry id</dt>
                <dd>{e.id}</dd>
              </dl>
            ) : null}
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="primary">Close</Button>
            </DialogTrigger>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
