/**
 * Approve requests (seed 004): the approver's inbox (`filterByCurrentUser(on='approver')` on the requests of groups
 * and Microsoft Entra roles, ARM's `$filter=asApprover()` for Azure resource roles), each with who asks, for what, for how long, why and the ticket, and the stage the
 * caller decides; Approve or Deny with a reason. The decision is a PATCH of the approval's step in progress
 * (docs/approvals.md); the item then leaves the inbox.
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { Api } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { formatDateTime, formatDuration } from '../../app/format';
import { usePortal } from '../../app/portal-context';
import { useResource } from '../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../components/page';
import { useDialogStyles } from '../my-roles/ActivateDialog';
import { useListStyles } from '../my-roles/MyRolesPage';
import {
  GROUPS,
  ROLES,
  actionLabel,
  kindLabel,
  loadApproverInbox,
  type RequestRow,
} from '../my-roles/access';

const useStyles = makeStyles({
  details: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: '2px',
    margin: 0,
    fontSize: tokens.fontSizeBase200,
    '& dt': { color: tokens.colorNeutralForeground2 },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
});

interface Step {
  id: string;
  displayName: string | null;
  status: string;
  assignedToMe?: boolean;
  isApproverJustificationRequired?: boolean;
  expiresDateTime?: string | null;
}

interface InboxItem {
  request: RequestRow;
  /** The approval's path (groups' assignmentApprovals or roles' roleAssignmentApprovals; ARM's for Azure roles). */
  approvalPath: string;
  /** Azure roles when the API offers no ARM approval to decide here: shown, not decided. */
  readOnly?: boolean;
  /** The step in progress: the one the caller decides. */
  step: Step | undefined;
  stageCount: number;
}

async function loadInbox(api: Api): Promise<InboxItem[]> {
  const requests = await loadApproverInbox(api);
  return Promise.all(
    requests.map(async (request) => {
      if (request.kind === 'azure') return azureInboxItem(api, request);
      const approvalPath = `${request.kind === 'group' ? `${GROUPS}/assignmentApprovals` : `${ROLES}/roleAssignmentApprovals`}/${request.approvalId ?? request.id}`;
      const approval = await api.get<{ steps?: Step[] }>(approvalPath);
      const steps = approval.steps ?? [];
      return {
        request,
        approvalPath,
        step:
          steps.find((s) => s.status === 'InProgress' && s.assignedToMe !== false) ??
          steps.find((s) => s.status === 'InProgress'),
        stageCount: steps.length,
      };
    }),
  );
}

/** ARM's approvals (`roleAssignmentApprovals/{id}` and its `stages`), as the API offers them. */
const ARM_APPROVALS = '/providers/Microsoft.Authorization/roleAssignmentApprovals';
const ARM_APPROVALS_VERSION = '2021-01-01-preview';

interface ArmStage {
  id: string;
  name: string;
  properties: { displayName?: string | null; status: string; assignedToMe?: boolean; reviewResult?: string };
}

async function azureInboxItem(api: Api, request: RequestRow): Promise<InboxItem> {
  const id = request.approvalId ?? '';
  const approvalPath = id.startsWith('/') ? id : `${ARM_APPROVALS}/${id}`;
  try {
    const approval = await api.get<{ properties?: { stages?: ArmStage[] } }>(
      `${approvalPath}?api-version=${ARM_APPROVALS_VERSION}`,
    );
    const stages = (approval.properties?.stages ?? []).map((s) => ({
      id: s.name,
      displayName: s.properties.displayName ?? null,
      status: s.properties.status,
      assignedToMe: s.properties.assignedToMe,
    }));
    return {
      request,
      approvalPath,
      step:
        stages.find((s) => s.status === 'InProgress' && s.assignedToMe !== false) ??
        stages.find((s) => s.status === 'InProgress'),
      stageCount: stages.length,
    };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 400 || err.status === 404 || err.status === 405))
      return { request, approvalPath, step: undefined, stageCount: 0, readOnly: true };
    throw err;
  }
}

export default function ApprovalsPage() {
  const styles = useListStyles();
  const own = useStyles();
  const { api } = usePortal();
  // New requests arrive on their own: check now and then, so an approver with the page open sees them.
  const inbox = useResource(() => loadInbox(api), [api], { refreshMs: 30_000 });
  const [deciding, setDeciding] = useState<{ item: InboxItem; result: 'Approve' | 'Deny' }>();
  const [notice, setNotice] = useState<string>();

  return (
    <Page
      title="Approve requests"
      description="Requests waiting for your decision."
      error={inbox.error}
      loading={inbox.loading}
    >
      <div aria-live="polite">
        <SuccessBanner message={notice} />
      </div>
      {inbox.data && inbox.data.length === 0 ? (
        <Text as="p" className={styles.empty}>
          No requests are waiting for you.
        </Text>
      ) : null}
      {inbox.data && inbox.data.length > 0 ? (
        <ul className={styles.list} aria-label="Requests waiting for you">
          {inbox.data.map((item) => {
            const r = item.request;
            const who = r.principalName ?? r.principalUpn ?? r.principalId;
            return (
              <li key={r.id} className={styles.item}>
                <div className={styles.main}>
                  <h2 className={styles.name}>
                    {who}: {actionLabel(r.action).toLowerCase()} {r.name}
                  </h2>
                  <dl className={own.details}>
                    <dt>Who</dt>
                    <dd>
                      {who}
                      {r.principalUpn && r.principalUpn !== who ? ` (${r.principalUpn})` : ''}
                    </dd>
                    <dt>What</dt>
                    <dd>
                      {r.name} · {kindLabel(r)}
                    </dd>
                    <dt>For</dt>
                    <dd>{forHowLong(r)}</dd>
                    <dt>Justification</dt>
                    <dd>{r.justification ?? '—'}</dd>
                    <dt>Ticket</dt>
                    <dd>
                      {r.ticketNumber ?? '—'}
                      {r.ticketSystem ? ` (${r.ticketSystem})` : ''}
                    </dd>
                    <dt>Asked</dt>
                    <dd>{formatDateTime(r.createdDateTime)}</dd>
                    {item.stageCount > 1 ? (
                      <>
                        <dt>Stage</dt>
                        <dd>{item.step?.displayName ?? '—'}</dd>
                      </>
                    ) : null}
                    {item.step?.expiresDateTime ? (
                      <>
                        <dt>Decide by</dt>
                        <dd>{formatDateTime(item.step.expiresDateTime)}</dd>
                      </>
                    ) : null}
                  </dl>
                  {item.readOnly ? (
                    <Text as="p" className={styles.meta}>
                      Azure role requests can&apos;t be decided here yet: approve or deny it in the Azure
                      portal (Privileged Identity Management → Approve requests → Azure resources).
                    </Text>
                  ) : null}
                </div>
                <div className={styles.actions} hidden={item.readOnly}>
                  <Button
                    appearance="primary"
                    aria-label={`Approve ${who}'s request for ${r.name}`}
                    disabled={!item.step}
                    onClick={() => setDeciding({ item, result: 'Approve' })}
                  >
                    Approve
                  </Button>
                  <Button
                    aria-label={`Deny ${who}'s request for ${r.name}`}
                    disabled={!item.step}
                    onClick={() => setDeciding({ item, result: 'Deny' })}
                  >
                    Deny
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      {deciding ? (
        <DecisionDialog
          item={deciding.item}
          result={deciding.result}
          onClose={() => setDeciding(undefined)}
          onDecided={(message) => {
            setDeciding(undefined);
            setNotice(message);
            void inbox.reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function forHowLong(r: RequestRow): string {
  const start = r.start ? formatDateTime(r.start) : 'when approved';
  if (r.duration) return `${formatDuration(r.duration)}, from ${start}`;
  if (r.endDateTime) return `From ${start} until ${formatDateTime(r.endDateTime)}`;
  return r.action.endsWith('Extend') || r.action.endsWith('Renew')
    ? "As long as the role's settings allow"
    : `From ${start}`;
}

function DecisionDialog(props: {
  item: InboxItem;
  result: 'Approve' | 'Deny';
  onClose: () => void;
  onDecided: (message: string) => void;
}) {
  const styles = useDialogStyles();
  const { api } = usePortal();
  const { item, result } = props;
  const r = item.request;
  const who = r.principalName ?? r.principalUpn ?? r.principalId;
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFieldError(undefined);
    if (!reason.trim()) {
      setFieldError(`Give a reason for your decision; ${who} sees it.`);
      return;
    }
    if (!item.step) return;
    setBusy(true);
    try {
      if (r.kind === 'azure')
        await api.put(`${item.approvalPath}/stages/${item.step.id}?api-version=${ARM_APPROVALS_VERSION}`, {
          properties: { reviewResult: result, justification: reason.trim() },
        });
      else
        await api.patch(`${item.approvalPath}/steps/${item.step.id}`, {
          reviewResult: result,
          justification: reason.trim(),
        });
      props.onDecided(`You ${result === 'Approve' ? 'approved' : 'denied'} ${who}'s request for ${r.name}.`);
    } catch (err) {
      if (/justification/i.test(errorMessage(err))) setFieldError(errorMessage(err));
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <DialogBody>
            <DialogTitle>
              {result} {who}&apos;s request
            </DialogTitle>
            <DialogContent className={styles.form}>
              <span>
                {actionLabel(r.action)} {r.name} ({kindLabel(r)}), {forHowLong(r).toLowerCase()}.
                {item.stageCount > 1 && item.step?.displayName ? ` ${item.step.displayName}.` : ''}
              </span>
              <Field
                label="Reason"
                required
                validationMessage={fieldError}
                validationState={fieldError ? 'error' : 'none'}
              >
                <Textarea value={reason} maxLength={1000} onChange={(_, d) => setReason(d.value)} />
              </Field>
              <ErrorBanner message={error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? 'Saving…' : result}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
