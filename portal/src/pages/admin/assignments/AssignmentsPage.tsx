/**
 * Admin · Assignments of one role of a managed resource (`#/admin/assignments/group/<groupId>/<member|owner>`,
 * `#/admin/assignments/role/<roleDefinitionId>`): its eligible and active schedules (current, future, and those that
 * expired in the last 30 days), and the admin actions of docs/api/requests.md — adminAssign (eligible or active,
 * permanent or bounded by the role's settings), adminRemove, adminExtend, adminRenew. Auditors see the lists only.
 *
 * pimflow's API has no user search, so a principal is named by its object id; the API says when there is none.
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
  Radio,
  RadioGroup,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { Api } from '../../../api/client';
import { ApiError, errorMessage } from '../../../api/errors';
import { durationToHours, formatDateTime, formatDuration } from '../../../app/format';
import { usePortal } from '../../../app/portal-context';
import type { Route } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import { ResourcePicker } from '../resources/ResourcePicker';
import {
  areaHref,
  assignmentPaths,
  policyAssignmentPath,
  resourceFields,
  resourceRoleFrom,
  resourceRoleName,
  scheduleFilter,
  type AssignmentKind,
  type ResourceRole,
} from '../resources/resource-kinds';
import { listAll } from '../../../api/odata';
import { roleDefinitionArmId } from '../../../api/arm';
import { loadAzurePolicy } from '../../my-roles/azure-access';
import { loadAzureSettings } from '../settings/azure-settings';
import { loadAzureSchedules, sendAzureAdminRequest } from './azure-assignments';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  sectionHeader: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, marginRight: 'auto' },
  scroll: {
    overflowX: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  table: { minWidth: '640px' },
  upn: { display: 'block', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  rowActions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  links: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

export default function AssignmentsPage(props: { route: Route }) {
  const ref = resourceRoleFrom(props.route.segments.slice(2));
  if (!ref)
    return (
      <ResourcePicker
        area="assignments"
        title="Assignments"
        description="Choose the role whose eligible and active assignments you want to see or change."
      />
    );
  return <Assignments key={`${ref.kind}/${ref.resourceId}/${ref.role}`} resource={ref} />;
}

interface Schedule {
  id: string;
  principalId: string;
  status: string;
  assignmentType?: string;
  directoryScopeId?: string;
  createdDateTime?: string;
  scheduleInfo?: {
    startDateTime?: string | null;
    expiration?: { type?: string; endDateTime?: string | null; duration?: string | null };
  };
  principal?: { displayName?: string | null; userPrincipalName?: string | null } | null;
  /** Azure roles assigned at a parent scope: where from (read-only here). */
  inheritedFrom?: string;
}

/** What the role's settings allow for new assignments (docs/api/role-settings.md, the Expiration_Admin_* rules). */
interface Bounds {
  allowPermanent: boolean;
  maximumDays: number;
  requireJustification: boolean;
}

interface Loaded {
  name: string;
  eligible: Schedule[];
  active: Schedule[];
  bounds: Record<AssignmentKind, Bounds>;
}

async function loadSchedules(api: Api, r: ResourceRole, kind: AssignmentKind): Promise<Schedule[]> {
  if (r.kind === 'azure') return loadAzureSchedules(api, r.resourceId, r.role, kind);
  const query = `$filter=${encodeURIComponent(scheduleFilter(r))}&$expand=principal`;
  return listAll<Schedule>(api, `${assignmentPaths(r, kind).schedules}?${query}`);
}

async function loadBounds(api: Api, r: ResourceRole): Promise<Record<AssignmentKind, Bounds>> {
  type Rule = {
    id: string;
    isExpirationRequired?: boolean;
    maximumDuration?: string;
    enabledRules?: string[];
  };
  const rules: Rule[] =
    r.kind === 'azure'
      ? ((await loadAzurePolicy(api, r.resourceId, roleDefinitionArmId(r.resourceId, r.role)))?.properties
          .rules ?? [])
      : ((await api.get<{ value: { policy?: { rules?: Rule[] } }[] }>(policyAssignmentPath(r))).value[0]
          ?.policy?.rules ?? []);
  const of = (id: string, enablement?: string): Bounds => {
    const rule = rules.find((x) => x.id === id);
    const enabled = rules.find((x) => x.id === enablement)?.enabledRules ?? [];
    return {
      allowPermanent: rule?.isExpirationRequired !== true,
      maximumDays: Math.round((durationToHours(rule?.maximumDuration ?? 'P365D') ?? 8760) / 24),
      requireJustification: enabled.includes('Justification'),
    };
  };
  return {
    eligible: of('Expiration_Admin_Eligibility'),
    active: of('Expiration_Admin_Assignment', 'Enablement_Admin_Assignment'),
  };
}

/** An admin request in Graph's shape, to pimflow's Graph-shaped routes or, for Azure roles, ARM's (azure-assignments.ts). */
async function sendAdminRequest(
  api: Api,
  r: ResourceRole,
  kind: AssignmentKind,
  body: Parameters<typeof sendAzureAdminRequest>[4] & Record<string, unknown>,
): Promise<void> {
  if (r.kind === 'azure') return sendAzureAdminRequest(api, r.resourceId, r.role, kind, body);
  await api.post(assignmentPaths(r, kind).requests, body);
}

function startOf(s: Schedule): string | undefined {
  return s.scheduleInfo?.startDateTime ?? s.createdDateTime;
}

/** The schedule's end, or undefined when it is permanent. */
function endOf(s: Schedule): string | undefined {
  const e = s.scheduleInfo?.expiration;
  if (!e || e.type?.toLowerCase() === 'noexpiration') return undefined;
  if (e.endDateTime) return e.endDateTime;
  const start = startOf(s);
  const hours = e.duration ? durationToHours(e.duration) : undefined;
  return start && hours !== undefined
    ? new Date(Date.parse(start) + hours * 3_600_000).toISOString()
    : undefined;
}

/** How long the page follows an action it started (pimflow carries a request out within seconds). */
const FOLLOW_MS = 120_000;

const isCurrent = (s: Schedule) => s.status === 'Provisioned' || s.status === 'Scheduled';
const principalName = (s: Schedule) => s.principal?.displayName ?? s.principalId;

function stateOf(s: Schedule): string {
  const status = s.status === 'Provisioned' ? 'Active' : s.status === 'Revoked' ? 'Removed' : s.status;
  return s.assignmentType === 'Activated' ? `${status} (activated)` : status;
}

function Assignments(props: { resource: ResourceRole }) {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const r = props.resource;
  const [success, setSuccess] = useState<string>();
  /** After an action, what the lists will show once pimflow has carried it out (the page follows until then). */
  const [awaiting, setAwaiting] = useState<{ until: (d: Loaded) => boolean; since: number }>();
  const loaded = useResource<Loaded>(
    async () => {
      const [name, eligible, active, bounds] = await Promise.all([
        r.kind === 'azure'
          ? loadAzureSettings(api, r.resourceId, r.role).then((s) => s.name)
          : resourceRoleName(api, r),
        loadSchedules(api, r, 'eligible'),
        loadSchedules(api, r, 'active'),
        loadBounds(api, r),
      ]);
      return { name, eligible, active, bounds };
    },
    [api, r.kind, r.resourceId, r.role],
    {
      refreshMs: (d) =>
        awaiting && d && !awaiting.until(d) && Date.now() - awaiting.since < FOLLOW_MS ? 2_000 : undefined,
    },
  );
  const data = loaded.data;
  const done = async (message: string, until: (d: Loaded) => boolean) => {
    setSuccess(message);
    setAwaiting({ until, since: Date.now() });
    await loaded.reload();
  };

  return (
    <Page
      title={data ? `Assignments · ${data.name}` : 'Assignments'}
      description="Who is eligible for this role, and who holds it now."
      error={loaded.error}
      loading={loaded.loading}
      actions={
        <span className={styles.links}>
          <Link href={areaHref('settings', r)}>Settings of this role</Link>
          {r.kind === 'group' ? (
            <Link href={areaHref('assignments', { ...r, role: r.role === 'member' ? 'owner' : 'member' })}>
              {r.role === 'member' ? 'Owner' : 'Member'} assignments
            </Link>
          ) : null}
        </span>
      }
    >
      <SuccessBanner message={success} />
      {data ? (
        <>
          {isAdmin ? (
            <div>
              <AddAssignmentDialog resource={r} bounds={data.bounds} name={data.name} onDone={done} />
            </div>
          ) : null}
          {(['eligible', 'active'] as const).map((kind) => (
            <section key={kind} className={styles.section} aria-labelledby={`${kind}-heading`}>
              <div className={styles.sectionHeader}>
                <h2 id={`${kind}-heading`} className={styles.heading}>
                  {kind === 'eligible' ? 'Eligible assignments' : 'Active assignments'}
                </h2>
              </div>
              <ScheduleTable
                resource={r}
                kind={kind}
                schedules={kind === 'eligible' ? data.eligible : data.active}
                bounds={data.bounds[kind]}
                readOnly={!isAdmin}
                onDone={done}
              />
            </section>
          ))}
        </>
      ) : null}
    </Page>
  );
}

function ScheduleTable(props: {
  resource: ResourceRole;
  kind: AssignmentKind;
  schedules: Schedule[];
  bounds: Bounds;
  readOnly: boolean;
  onDone: (message: string, until: (d: Loaded) => boolean) => Promise<void>;
}) {
  const styles = useStyles();
  const title = props.kind === 'eligible' ? 'Eligible assignments' : 'Active assignments';
  if (props.schedules.length === 0) return <Text>No {props.kind} assignments.</Text>;
  return (
    <div className={styles.scroll} role="region" aria-label={title} tabIndex={0}>
      <Table className={styles.table} aria-label={title}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Principal</TableHeaderCell>
            <TableHeaderCell>Start</TableHeaderCell>
            <TableHeaderCell>End</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            {props.readOnly ? null : <TableHeaderCell>Actions</TableHeaderCell>}
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.schedules.map((s) => {
            const end = endOf(s);
            return (
              <TableRow key={s.id}>
                <TableCell>
                  {principalName(s)}
                  {s.principal?.userPrincipalName ? (
                    <span className={styles.upn}>{s.principal.userPrincipalName}</span>
                  ) : null}
                </TableCell>
                <TableCell>{formatDateTime(startOf(s))}</TableCell>
                <TableCell>{end ? formatDateTime(end) : 'Permanent'}</TableCell>
                <TableCell>
                  {stateOf(s)}
                  {s.inheritedFrom ? (
                    <span className={styles.upn}>Inherited from {s.inheritedFrom}</span>
                  ) : null}
                </TableCell>
                {props.readOnly ? null : (
                  <TableCell>
                    <span className={styles.rowActions}>
                      {s.inheritedFrom ? <Text size={200}>Change it at its scope</Text> : null}
                      {isCurrent(s) && !s.inheritedFrom ? (
                        <ScheduleActionDialog {...props} schedule={s} action="adminRemove" />
                      ) : null}
                      {isCurrent(s) && end && s.assignmentType !== 'Activated' && !s.inheritedFrom ? (
                        <ScheduleActionDialog {...props} schedule={s} action="adminExtend" />
                      ) : null}
                      {s.status === 'Expired' && s.assignmentType !== 'Activated' && !s.inheritedFrom ? (
                        <ScheduleActionDialog {...props} schedule={s} action="adminRenew" />
                      ) : null}
                    </span>
                  </TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

const ACTION_LABELS = { adminRemove: 'Remove', adminExtend: 'Extend', adminRenew: 'Renew' } as const;

/** `datetime-local` value (local time, minutes) for a Date. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function isoFromLocal(value: string): string | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The message for one of a request's fields (`scheduleInfo.expiration.endDateTime` …). */
const fieldError = (err: unknown, ...names: string[]) =>
  err instanceof ApiError ? names.map((n) => err.field(n)).find((m) => m !== undefined) : undefined;

function ScheduleActionDialog(props: {
  resource: ResourceRole;
  kind: AssignmentKind;
  schedule: Schedule;
  bounds: Bounds;
  action: keyof typeof ACTION_LABELS;
  onDone: (message: string, until: (d: Loaded) => boolean) => Promise<void>;
}) {
  const { api } = usePortal();
  const styles = useStyles();
  const s = props.schedule;
  const label = ACTION_LABELS[props.action];
  const who = principalName(s);
  const [open, setOpen] = useState(false);
  const currentEnd = endOf(s);
  const defaultEnd = new Date(
    Math.max(Date.now(), currentEnd ? Date.parse(currentEnd) : 0) +
      Math.min(props.bounds.maximumDays, 365) * 86_400_000,
  );
  const [end, setEnd] = useState(() => localInput(defaultEnd));
  const [justification, setJustification] = useState('');
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const removing = props.action === 'adminRemove';

  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const endDateTime = removing ? undefined : isoFromLocal(end);
      if (!removing && !endDateTime)
        throw new ApiError('Enter the new end date and time.', 400, {
          endDateTime: 'Enter the new end date and time.',
        });
      await sendAdminRequest(api, props.resource, props.kind, {
        action: props.action,
        principalId: s.principalId,
        ...resourceFields(props.resource, s.directoryScopeId),
        targetScheduleId: s.id,
        ...(justification.trim() ? { justification: justification.trim() } : {}),
        ...(endDateTime ? { scheduleInfo: { expiration: { type: 'afterDateTime', endDateTime } } } : {}),
      });
      setOpen(false);
      const listed = (d: Loaded) => (props.kind === 'eligible' ? d.eligible : d.active);
      await props.onDone(
        removing
          ? `${who}'s ${props.kind} assignment is being removed.`
          : `${who}'s ${props.kind} assignment was ${props.action === 'adminExtend' ? 'extended' : 'renewed'}.`,
        (d) => {
          const now = listed(d).find((x) => x.id === s.id);
          if (removing) return !now || !isCurrent(now);
          if (props.action === 'adminRenew')
            return listed(d).some((x) => x.principalId === s.principalId && isCurrent(x));
          return now !== undefined && endOf(now) !== currentEnd;
        },
      );
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  const endError = fieldError(failure, 'endDateTime', 'expiration', 'scheduleInfo');
  const justificationError = fieldError(failure, 'justification');
  const general = failure && !endError && !justificationError ? errorMessage(failure) : undefined;
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button size="small" aria-label={`${label} ${who}'s ${props.kind} assignment`}>
          {label}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>
              {label} {who}'s {props.kind} assignment
            </DialogTitle>
            <DialogContent className={styles.form}>
              {removing ? (
                <Text as="p">{who} loses this assignment now.</Text>
              ) : (
                <Field
                  label="New end"
                  hint={
                    props.bounds.allowPermanent
                      ? undefined
                      : `At most ${formatDuration(`P${props.bounds.maximumDays}D`)} from now.`
                  }
                  validationMessage={endError}
                  required
                >
                  <Input type="datetime-local" value={end} onChange={(_, d) => setEnd(d.value)} />
                </Field>
              )}
              <Field label="Justification" validationMessage={justificationError}>
                <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} />
              </Field>
              <ErrorBanner message={general} />
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={busy}>
                {label}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function AddAssignmentDialog(props: {
  resource: ResourceRole;
  bounds: Record<AssignmentKind, Bounds>;
  name: string;
  onDone: (message: string, until: (d: Loaded) => boolean) => Promise<void>;
}) {
  const { api } = usePortal();
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<AssignmentKind>('eligible');
  const [principal, setPrincipal] = useState('');
  const [permanent, setPermanent] = useState(false);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [justification, setJustification] = useState('');
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const bounds = props.bounds[kind];
  const canBePermanent = bounds.allowPermanent;
  const isPermanent = permanent && canBePermanent;

  const reset = () => {
    setPrincipal('');
    setPermanent(false);
    setStart('');
    setEnd('');
    setJustification('');
    setFailure(undefined);
  };

  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const id = principal.trim();
      if (id === '')
        throw new ApiError('Name the user.', 400, { principalId: "Enter the user's object id." });
      const startDateTime = start ? isoFromLocal(start) : undefined;
      const endDateTime = end ? isoFromLocal(end) : undefined;
      if (!isPermanent && !endDateTime)
        throw new ApiError('Choose an end.', 400, {
          endDateTime: canBePermanent
            ? 'Choose when the assignment ends, or make it permanent.'
            : 'Choose when the assignment ends: this role requires an end.',
        });
      await sendAdminRequest(api, props.resource, kind, {
        action: 'adminAssign',
        principalId: id,
        ...resourceFields(props.resource),
        ...(justification.trim() ? { justification: justification.trim() } : {}),
        scheduleInfo: {
          ...(startDateTime ? { startDateTime } : {}),
          expiration: isPermanent ? { type: 'noExpiration' } : { type: 'afterDateTime', endDateTime },
        },
      });
      setOpen(false);
      reset();
      await props.onDone(`The ${kind} assignment to ${props.name} was added.`, (d) =>
        (kind === 'eligible' ? d.eligible : d.active).some(
          (x) => x.principalId.toLowerCase() === id.toLowerCase() && isCurrent(x),
        ),
      );
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  const principalError = fieldError(failure, 'principalId');
  const startError = fieldError(failure, 'startDateTime');
  const endError = fieldError(failure, 'endDateTime', 'expiration', 'duration', 'scheduleInfo');
  const justificationError = fieldError(failure, 'justification');
  const general =
    failure && !principalError && !startError && !endError && !justificationError
      ? errorMessage(failure)
      : undefined;
  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        setOpen(d.open);
        if (!d.open) reset();
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="primary">Add assignment</Button>
      </DialogTrigger>
      <DialogSurface>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>Add assignment · {props.name}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label="User"
                hint="The user's object id, as the Entra admin center shows it (pimflow has no directory search)."
                validationMessage={principalError}
                required
              >
                <Input value={principal} onChange={(_, d) => setPrincipal(d.value)} autoComplete="off" />
              </Field>
              <Field label="Assignment type">
                <RadioGroup value={kind} onChange={(_, d) => setKind(d.value as AssignmentKind)}>
                  <Radio value="eligible" label="Eligible" />
                  <Radio value="active" label="Active" />
                </RadioGroup>
              </Field>
              <Checkbox
                label={kind === 'eligible' ? 'Permanently eligible' : 'Permanently active'}
                checked={isPermanent}
                disabled={!canBePermanent}
                onChange={(_, d) => setPermanent(d.checked === true)}
              />
              {canBePermanent ? null : (
                <Text>
                  This role's settings require an end, at most {formatDuration(`P${bounds.maximumDays}D`)}{' '}
                  after the start.
                </Text>
              )}
              <Field label="Start" hint="Leave empty to start now." validationMessage={startError}>
                <Input type="datetime-local" value={start} onChange={(_, d) => setStart(d.value)} />
              </Field>
              {isPermanent ? null : (
                <Field
                  label="End"
                  hint={
                    canBePermanent
                      ? undefined
                      : `At most ${formatDuration(`P${bounds.maximumDays}D`)} after the start.`
                  }
                  validationMessage={endError}
                  required
                >
                  <Input type="datetime-local" value={end} onChange={(_, d) => setEnd(d.value)} />
                </Field>
              )}
              <Field
                label="Justification"
                required={kind === 'active' && bounds.requireJustification}
                validationMessage={justificationError}
              >
                <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} />
              </Field>
              <ErrorBanner message={general} />
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? 'Assigning…' : 'Assign'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
