/**
 * Recording a decision — for one item or for several selected ones — with its reason. The reason is required to
 * approve when the review's settings say so (the API refuses it otherwise: its sentence is shown on the field).
 * Several items are decided one PATCH each (the API's batchRecordDecisions decides all of a principal's items, not
 * a chosen set), a few at a time; the ones refused are named with the API's reason.
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
  Spinner,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import { usePortal } from '../../app/portal-context';
import { ACTION_LABELS, instancePath, type Decision, type DecisionItem } from './reviews-api';

export type Action = Exclude<Decision, 'NotReviewed'>;

export interface DecideRequest {
  decision: Action;
  items: DecisionItem[];
}

const MAX_REASON = 1000;
const PARALLEL = 4;

export function DecideDialog(props: {
  definitionId: string;
  instanceId: string;
  request: DecideRequest;
  justificationRequired: boolean;
  onDone(message: string, failures: string[]): void;
  onCancel(): void;
}) {
  const { api } = usePortal();
  const { decision, items } = props.request;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const required = decision === 'Approve' && props.justificationRequired;
  const who =
    items.length === 1 ? (items[0]?.principal.displayName ?? 'this item') : `${items.length} selected items`;
  const title = `${ACTION_LABELS[decision]}: ${who}`;

  async function submit() {
    const justification = reason.trim();
    if (required && justification === '') {
      setError('Give a reason: this review requires one to approve access.');
      return;
    }
    if (justification.length > MAX_REASON) {
      setError(`The reason is too long: at most ${MAX_REASON} characters.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const base = instancePath(props.definitionId, props.instanceId);
    const failures: { item: DecisionItem; err: unknown }[] = [];
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        try {
          await api.patch(`${base}/decisions/${encodeURIComponent(item.id)}`, {
            decision,
            ...(justification ? { justification } : {}),
          });
        } catch (err) {
          failures.push({ item, err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
    setBusy(false);
    const first = failures[0];
    if (first && failures.length === items.length) {
      // Nothing recorded: keep the dialog open with the reason next to the field it concerns.
      setError(
        first.err instanceof ApiError
          ? (first.err.field('justification') ?? first.err.message)
          : errorMessage(first.err),
      );
      return;
    }
    const recorded = items.length - failures.length;
    props.onDone(
      `Recorded ${recorded} decision${recorded === 1 ? '' : 's'}: ${ACTION_LABELS[decision]}.`,
      failures.map((f) => `${f.item.principal.displayName ?? f.item.id}: ${errorMessage(f.err)}`),
    );
  }

  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => (!data.open && !busy ? props.onCancel() : undefined)}
    >
      <DialogSurface aria-describedby={undefined}>
        <form
          // Our own message, next to the field, rather than the browser's bubble.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent>
              {items.length > 1 ? (
                <Text as="p">
                  {items.map((i) => i.principal.displayName ?? i.id).join(', ')} will get the same decision
                  and reason.
                </Text>
              ) : null}
              <Field
                label={required ? 'Reason (required to approve)' : 'Reason'}
                required={required}
                validationMessage={error}
                validationState={error ? 'error' : 'none'}
                hint={required ? undefined : 'Optional, but it helps whoever reads the review later.'}
              >
                <Textarea
                  value={reason}
                  onChange={(_, data) => setReason(data.value)}
                  resize="vertical"
                  maxLength={MAX_REASON}
                />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button type="submit" appearance="primary" disabled={busy}>
                {busy ? <Spinner size="tiny" label="Saving…" /> : ACTION_LABELS[decision]}
              </Button>
              <Button onClick={props.onCancel} disabled={busy}>
                Cancel
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
