/**
 * Activate a role (seed 004): duration up to the role's maximum, an optional custom start, justification and ticket
 * when the role's settings require them, and what approval it will need. The API checks everything again; its
 * refusal is shown on the field it concerns. A role that needs MFA or an authentication context answers with a
 * claims challenge, which the API client turns into a sign-in popup and a retry.
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
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Switch,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/errors';
import { formatDuration, hoursToDuration } from '../../app/format';
import { usePortal } from '../../app/portal-context';
import { useResource } from '../../app/use-resource';
import { ErrorBanner } from '../../components/page';
import {
  approvalNote,
  fieldOfError,
  kindLabel,
  loadActivationSettings,
  sendSelfRequest,
  type AccessRow,
  type FormField,
  type RequestRow,
} from './access';

export const useDialogStyles = makeStyles({
  surface: { maxWidth: 'min(560px, calc(100vw - 24px))', boxSizing: 'border-box' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  grow: { flexGrow: 1, minWidth: '160px' },
});

/** `datetime-local`'s value for now (local time, minutes). */
function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function ActivateDialog(props: {
  row: AccessRow;
  onClose: () => void;
  onSubmitted: (request: RequestRow) => void;
}) {
  const styles = useDialogStyles();
  const { api, me } = usePortal();
  const { row } = props;
  const settings = useResource(() => loadActivationSettings(api, row), [row.id]);
  const s = settings.data;
  const [hours, setHours] = useState('1');
  const [customStart, setCustomStart] = useState(false);
  const [start, setStart] = useState(localNow);
  const [justification, setJustification] = useState('');
  const [ticketNumber, setTicketNumber] = useState('');
  const [ticketSystem, setTicketSystem] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const h = Number(hours);
    const local: Partial<Record<FormField, string>> = {};
    if (!Number.isFinite(h) || h <= 0) local.duration = 'Enter a duration in hours, for example 1 or 1.5.';
    if (customStart && Number.isNaN(new Date(start).getTime())) local.start = 'Enter a start date and time.';
    setErrors(local);
    setError(undefined);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const created = await sendSelfRequest(api, row, me.id, {
        action: 'selfActivate',
        ...(justification.trim() ? { justification: justification.trim() } : {}),
        ...(ticketNumber.trim() || ticketSystem.trim()
          ? {
              ticketInfo: {
                ticketNumber: ticketNumber.trim() || null,
                ticketSystem: ticketSystem.trim() || null,
              },
            }
          : {}),
        // Without a start the request starts now (the browser's clock may differ from the server's).
        ...(customStart ? { startDateTime: new Date(start).toISOString() } : {}),
        duration: hoursToDuration(h),
      });
      props.onSubmitted(created);
    } catch (err) {
      const field = fieldOfError(err);
      if (field) setErrors({ [field]: errorMessage(err) });
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const maxHint = s
    ? `At most ${formatDuration(s.maximumDuration)}.`
    : 'The role settings decide the maximum; pimflow checks it when you activate.';
  const steppingUp =
    s &&
    ((s.requireMfa && !me.authenticationMethods.includes('mfa')) ||
      (s.authenticationContext && !me.authenticationContexts.includes(s.authenticationContext)));

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => (d.open ? undefined : props.onClose())}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <DialogBody>
            <DialogTitle>Activate {row.name}</DialogTitle>
            <DialogContent className={styles.form}>
              <span>{kindLabel(row)}</span>
              {settings.loading ? <Spinner size="tiny" label="Reading the role settings…" /> : null}
              <ErrorBanner message={settings.error} />
              {s && approvalNote(s) ? (
                <MessageBar intent="info">
                  <MessageBarBody>{approvalNote(s)}</MessageBarBody>
                </MessageBar>
              ) : null}
              {steppingUp ? (
                <MessageBar intent="warning">
                  <MessageBarBody>
                    This role needs{' '}
                    {s.requireMfa
                      ? 'multifactor authentication'
                      : `authentication context ${s.authenticationContext ?? ''}`}
                    : you will be asked to sign in again.
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              <Field
                label="Duration (hours)"
                required
                hint={maxHint}
                validationMessage={errors.duration}
                validationState={errors.duration ? 'error' : 'none'}
              >
                <Input
                  type="number"
                  inputMode="decimal"
                  min={0.5}
                  step={0.5}
                  max={s?.maximumHours}
                  value={hours}
                  onChange={(_, d) => setHours(d.value)}
                />
              </Field>
              <Switch
                label="Custom activation start time"
                checked={customStart}
                onChange={(_, d) => setCustomStart(d.checked)}
              />
              {customStart ? (
                <Field
                  label="Start"
                  validationMessage={errors.start}
                  validationState={errors.start ? 'error' : 'none'}
                >
                  <Input type="datetime-local" value={start} onChange={(_, d) => setStart(d.value)} />
                </Field>
              ) : null}
              <Field
                label="Justification"
                required={s?.requireJustification}
                hint="Why you need the role; the approvers see it."
                validationMessage={errors.justification}
                validationState={errors.justification ? 'error' : 'none'}
              >
                <Textarea
                  value={justification}
                  maxLength={500}
                  resize="vertical"
                  onChange={(_, d) => setJustification(d.value)}
                />
              </Field>
              <div className={styles.row}>
                <Field
                  className={styles.grow}
                  label="Ticket number"
                  required={s?.requireTicket}
                  validationMessage={errors.ticketNumber}
                  validationState={errors.ticketNumber ? 'error' : 'none'}
                >
                  <Input value={ticketNumber} onChange={(_, d) => setTicketNumber(d.value)} />
                </Field>
                <Field
                  className={styles.grow}
                  label="Ticket system"
                  validationMessage={errors.ticketSystem}
                  validationState={errors.ticketSystem ? 'error' : 'none'}
                >
                  <Input value={ticketSystem} onChange={(_, d) => setTicketSystem(d.value)} />
                </Field>
              </div>
              <ErrorBanner message={error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? 'Activating…' : 'Activate'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * Extend or renew (a justification; the new end is the role's maximum from now, as the API gives it without a
 * duration): goes to the group's owners or the directory's admins for approval, as the API decides.
 */
export function ExtendRenewDialog(props: {
  row: AccessRow;
  action: 'selfExtend' | 'selfRenew';
  onClose: () => void;
  onSubmitted: (request: RequestRow) => void;
}) {
  const styles = useDialogStyles();
  const { api, me } = usePortal();
  const { row, action } = props;
  const [justification, setJustification] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const which = row.state === 'eligible' || row.expiredKind === 'eligibility' ? 'eligibility' : 'assignment';
  const verb = action === 'selfExtend' ? 'Extend' : 'Renew';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFieldError(undefined);
    if (!justification.trim()) {
      setFieldError('Say why you need it for longer.');
      return;
    }
    setBusy(true);
    try {
      const created = await sendSelfRequest(api, row, me.id, { action, justification: justification.trim() });
      props.onSubmitted(created);
    } catch (err) {
      if (fieldOfError(err) === 'justification') setFieldError(errorMessage(err));
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
              {verb} {row.name}
            </DialogTitle>
            <DialogContent className={styles.form}>
              <span>
                {kindLabel(row)} ·{' '}
                {which === 'eligibility'
                  ? 'eligible assignment'
                  : row.assignmentType === 'activated'
                    ? 'activation'
                    : 'active assignment'}
              </span>
              <span>
                {action === 'selfExtend'
                  ? 'The new end is the longest the role allows from now.'
                  : 'The renewal lasts as long as the role allows.'}{' '}
                {row.assignmentType === 'activated'
                  ? ''
                  : row.kind === 'azure'
                    ? "The resource's administrators approve it."
                    : "The group's owners or the directory's admins approve it."}
              </span>
              <Field
                label="Justification"
                required
                validationMessage={fieldError}
                validationState={fieldError ? 'error' : 'none'}
              >
                <Textarea
                  value={justification}
                  maxLength={500}
                  onChange={(_, d) => setJustification(d.value)}
                />
              </Field>
              <ErrorBanner message={error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? `${verb}ing…` : verb}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
