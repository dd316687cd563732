/**
 * My roles (the start page; seed 004): what the signed-in user is eligible for and has active, across groups and
 * Microsoft Entra roles; activate, deactivate, extend, renew; and their requests (pending ones can be canceled).
 * While a request is on its way the page follows it (polling) until it is active, so nobody reloads.
 */
import { Badge, Button, Tab, TabList, Text, makeStyles, tokens } from '@fluentui/react-components';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { formatDateTime, formatDuration } from '../../app/format';
import { usePortal } from '../../app/portal-context';
import { useResource } from '../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../components/page';
import { heldViaNote } from './azure-access';
import {
  actionLabel,
  cancelRequest,
  isOpen,
  kindLabel,
  loadMyAccess,
  loadMyExpired,
  sendSelfRequest,
  statusLabel,
  targetKey,
  type AccessRow,
  type MyAccess,
  type RequestRow,
} from './access';

export const useListStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: 0, margin: 0 },
  item: {
    listStyleType: 'none',
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  main: {
    flexGrow: 1,
    flexBasis: '260px',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
  },
  name: {
    margin: 0,
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: 'anywhere',
  },
  meta: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  tabs: { overflowX: 'auto' },
  empty: { color: tokens.colorNeutralForeground3 },
});

// The dialogs load when first opened: the first load of My roles stays small.
const ActivateDialog = lazy(() => import('./ActivateDialog').then((m) => ({ default: m.ActivateDialog })));
const ExtendRenewDialog = lazy(() =>
  import('./ActivateDialog').then((m) => ({ default: m.ExtendRenewDialog })),
);

/** Chromium's element timing of the first data on My roles (`npm run bench`: navigation → My roles data). */
const DATA_TIMING = { elementtiming: 'my-roles-data' };

type TabName = 'eligible' | 'active' | 'expired' | 'requests';
const DAY = 86_400_000;
/** An assignment can be extended by its principal within 14 days of its end (the API's window). */
const EXTEND_WINDOW = 14 * DAY;
const POLL_MS = 2000;

type Dialog =
  { type: 'activate'; row: AccessRow } | { type: 'selfExtend' | 'selfRenew'; row: AccessRow } | undefined;

export function MyRolesPage() {
  const styles = useListStyles();
  const { api, me } = usePortal();
  const [tab, setTab] = useState<TabName>('eligible');
  const [dialog, setDialog] = useState<Dialog>();
  const [followed, setFollowed] = useState<RequestRow>();
  const [notice, setNotice] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  /** An activation being deactivated: followed until it has left the active list. */
  const [ending, setEnding] = useState<string>();
  const access = useResource(() => loadMyAccess(api), [api], {
    refreshMs: (d) =>
      d?.requests.some(isOpen) || (ending && d?.active.some((a) => a.id === ending)) ? POLL_MS : undefined,
  });
  const data = access.data;
  const expired = useResource(() => loadMyExpired(api), [api]);

  // When the last open request settles, read once more: its schedule and instance may land just after its status.
  const hadOpen = useRef(false);
  const open = data?.requests.some(isOpen) ?? false;
  useEffect(() => {
    if (hadOpen.current && !open) {
      void access.reload();
      void expired.reload();
    }
    hadOpen.current = open;
  }, [open, access, expired]);

  const submitted = (request: RequestRow) => {
    setDialog(undefined);
    setFollowed(request);
    setActionError(undefined);
    setNotice(undefined);
    void access.reload();
  };

  const deactivate = async (row: AccessRow) => {
    setBusy(row.id);
    setActionError(undefined);
    try {
      await sendSelfRequest(api, row, me.id, { action: 'selfDeactivate' });
      setFollowed(undefined);
      setEnding(row.id);
      setNotice(`${row.name} is being deactivated.`);
      await access.reload();
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const cancel = async (request: RequestRow) => {
    setBusy(request.id);
    setActionError(undefined);
    try {
      await cancelRequest(api, request);
      setNotice(`Your request for ${request.name} was canceled.`);
      await access.reload();
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const followedNow = followed && data?.requests.find((r) => r.id === followed.id);
  // The request as last read (the POST's answer until the list has it).
  const status = followed ? followStatus(followedNow ?? followed, data) : undefined;

  return (
    <Page
      title="My roles"
      description="Activate the roles you are eligible for, and follow your requests."
      error={access.error}
      loading={access.loading}
    >
      <div aria-live="polite">
        {status ? <SuccessBanner message={status} /> : notice ? <SuccessBanner message={notice} /> : null}
      </div>
      <ErrorBanner message={actionError} />
      {data?.azureError ? (
        <ErrorBanner title="Your Azure resource roles couldn't be read." message={data.azureError} />
      ) : null}
      <TabList
        className={styles.tabs}
        selectedValue={tab}
        onTabSelect={(_, d) => setTab(d.value as TabName)}
        aria-label="My roles"
      >
        <Tab value="eligible">Eligible ({data?.eligible.length ?? 0})</Tab>
        <Tab value="active">Active ({data?.active.length ?? 0})</Tab>
        <Tab value="expired">Expired ({expired.data?.length ?? 0})</Tab>
        <Tab value="requests">My requests ({data?.requests.filter(isOpen).length ?? 0} pending)</Tab>
      </TabList>
      {data ? (
        <div role="tabpanel" aria-label={TAB_NAMES[tab]}>
          {tab === 'requests' ? (
            <RequestList requests={data.requests} busy={busy} onCancel={(r) => void cancel(r)} />
          ) : tab === 'expired' && !expired.data ? (
            <ErrorBanner message={expired.error} />
          ) : (
            <AccessList
              rows={tab === 'expired' ? (expired.data ?? []) : data[tab]}
              tab={tab}
              data={data}
              busy={busy}
              onActivate={(row) => setDialog({ type: 'activate', row })}
              onDeactivate={(row) => void deactivate(row)}
              onExtendRenew={(row, type) => setDialog({ type, row })}
            />
          )}
        </div>
      ) : null}
      <Suspense fallback={null}>
        {dialog?.type === 'activate' ? (
          <ActivateDialog
            row={dialog.row}
            onClose={() => setDialog(undefined)}
            onSubmitted={(r) => submitted({ ...r, name: dialog.row.name })}
          />
        ) : dialog ? (
          <ExtendRenewDialog
            row={dialog.row}
            action={dialog.type}
            onClose={() => setDialog(undefined)}
            onSubmitted={(r) => submitted({ ...r, name: dialog.row.name })}
          />
        ) : null}
      </Suspense>
    </Page>
  );
}

const TAB_NAMES: Record<TabName, string> = {
  eligible: 'Eligible assignments',
  active: 'Active assignments',
  expired: 'Expired assignments',
  requests: 'My requests',
};

/** The followed request in words: pending, or active with its end once its assignment is listed. */
function followStatus(r: RequestRow, data: MyAccess | undefined): string {
  if (r.action === 'selfActivate' && r.status === 'Provisioned') {
    const active = data?.active.find(
      (a) => targetKey(a) === targetKey(r) && a.assignmentType === 'activated',
    );
    if (active) return `${r.name} is active until ${formatDateTime(active.end)}.`;
  }
  return `${WHAT[r.action] ?? actionLabel(r.action)} ${r.name}: ${statusLabel(r.status)}.`;
}

/** How the page names a request it follows ("Activation of Helpdesk Admin-Group: Pending approval."). */
const WHAT: Record<string, string> = {
  selfActivate: 'Activation of',
  selfExtend: 'Extension of',
  selfRenew: 'Renewal of',
};

function AccessList(props: {
  rows: AccessRow[];
  tab: Exclude<TabName, 'requests'>;
  data: MyAccess;
  busy: string | undefined;
  onActivate: (row: AccessRow) => void;
  onDeactivate: (row: AccessRow) => void;
  onExtendRenew: (row: AccessRow, action: 'selfExtend' | 'selfRenew') => void;
}) {
  const styles = useListStyles();
  if (props.rows.length === 0)
    return (
      <Text as="p" className={styles.empty} {...DATA_TIMING}>
        {props.tab === 'eligible'
          ? 'You are not eligible for any role.'
          : props.tab === 'active'
            ? 'You have no active roles.'
            : 'Nothing expired in the last 30 days.'}
      </Text>
    );
  const now = props.data.readAt;
  return (
    <ul className={styles.list} aria-label={TAB_NAMES[props.tab]}>
      {props.rows.map((row) => {
        const pending = props.data.requests.find((r) => isOpen(r) && targetKey(r) === targetKey(row));
        const nearEnd = row.end !== null && new Date(row.end).getTime() - now <= EXTEND_WINDOW;
        const activated = row.assignmentType === 'activated';
        // Held through a parent scope or a group (Azure roles): nothing here for the caller to change.
        const via = heldViaNote(row);
        const changeable =
          row.memberType !== 'inherited' && !(row.memberType === 'group' && props.tab !== 'eligible');
        return (
          <li key={`${row.state}:${row.id}`} className={styles.item}>
            <div className={styles.main}>
              <h2 className={styles.name} {...DATA_TIMING}>
                {row.name}
              </h2>
              <span className={styles.meta}>
                {kindLabel(row)}
                {row.state === 'active' ? ` · ${activated ? 'Activated' : 'Assigned'}` : ''}
                {row.state === 'expired'
                  ? ` · ${row.expiredKind === 'eligibility' ? 'Eligible' : 'Active'} assignment`
                  : ''}
              </span>
              {via ? <span className={styles.meta}>{via}</span> : null}
              <span className={styles.meta}>
                Start {formatDateTime(row.start)} · {row.state === 'expired' ? 'Ended' : 'End'}{' '}
                {row.end ? formatDateTime(row.end) : 'Permanent'}
              </span>
            </div>
            <div className={styles.actions}>
              {pending ? (
                <Badge appearance="tint" color="warning">
                  {statusLabel(pending.status)}
                </Badge>
              ) : null}
              {via ? (
                <Badge appearance="outline" color="informative">
                  {row.memberType === 'inherited' ? 'Inherited' : 'Through a group'}
                </Badge>
              ) : null}
              {props.tab === 'eligible' && changeable ? (
                <Button
                  appearance="primary"
                  disabled={pending !== undefined}
                  aria-label={`Activate ${row.name} (${kindLabel(row)})`}
                  onClick={() => props.onActivate(row)}
                >
                  Activate
                </Button>
              ) : null}
              {props.tab === 'active' && activated && changeable ? (
                <Button
                  disabled={props.busy === row.id}
                  aria-label={`Deactivate ${row.name} (${kindLabel(row)})`}
                  onClick={() => props.onDeactivate(row)}
                >
                  Deactivate
                </Button>
              ) : null}
              {props.tab !== 'expired' && (activated || nearEnd) && !pending && changeable ? (
                <Button
                  aria-label={`Extend ${row.name} (${kindLabel(row)})`}
                  onClick={() => props.onExtendRenew(row, 'selfExtend')}
                >
                  Extend
                </Button>
              ) : null}
              {props.tab === 'expired' && !pending && changeable ? (
                <Button
                  aria-label={`Renew ${row.name} (${kindLabel(row)})`}
                  onClick={() => props.onExtendRenew(row, 'selfRenew')}
                >
                  Renew
                </Button>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function RequestList(props: {
  requests: RequestRow[];
  busy: string | undefined;
  onCancel: (r: RequestRow) => void;
}) {
  const styles = useListStyles();
  if (props.requests.length === 0)
    return (
      <Text as="p" className={styles.empty}>
        You have made no requests.
      </Text>
    );
  return (
    <ul className={styles.list} aria-label="My requests">
      {props.requests.map((r) => (
        <li key={r.id} className={styles.item}>
          <div className={styles.main}>
            <h2 className={styles.name}>
              {actionLabel(r.action)} · {r.name}
            </h2>
            <span className={styles.meta}>
              {kindLabel(r)} · asked {formatDateTime(r.createdDateTime)}
              {r.duration ? ` · for ${formatDuration(r.duration)}` : ''}
              {r.endDateTime ? ` · until ${formatDateTime(r.endDateTime)}` : ''}
            </span>
            {r.justification ? <span className={styles.meta}>Justification: {r.justification}</span> : null}
            {r.ticketNumber ? (
              <span className={styles.meta}>
                Ticket: {r.ticketNumber}
                {r.ticketSystem ? ` (${r.ticketSystem})` : ''}
              </span>
            ) : null}
          </div>
          <div className={styles.actions}>
            <Badge
              appearance="tint"
              color={isOpen(r) ? 'warning' : r.status === 'Provisioned' ? 'success' : 'informative'}
            >
              {statusLabel(r.status)}
            </Badge>
            {isOpen(r) ? (
              <Button
                disabled={props.busy === r.id}
                aria-label={`Cancel the request for ${r.name}`}
                onClick={() => props.onCancel(r)}
              >
                Cancel request
              </Button>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
