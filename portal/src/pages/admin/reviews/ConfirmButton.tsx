/** A button whose action is confirmed in a dialog first (stop, reset, apply and delete can't be undone). */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  type ButtonProps,
} from '@fluentui/react-components';
import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { ErrorBanner } from '../../../components/page';

export function ConfirmButton(props: {
  label: string;
  /** The button's accessible name when the label alone is ambiguous (several instances on one page). */
  ariaLabel?: string;
  title: string;
  message: string;
  confirm: string;
  disabled?: boolean;
  appearance?: ButtonProps['appearance'];
  icon?: ButtonProps['icon'];
  onConfirm(): Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      setOpen(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(_, data) => setOpen(data.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button
          appearance={props.appearance}
          icon={props.icon}
          disabled={props.disabled}
          aria-label={props.ariaLabel}
        >
          {props.label}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>
            <p>{props.message}</p>
            <ErrorBanner message={error} />
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button disabled={busy}>Cancel</Button>
            </DialogTrigger>
            <Button appearance="primary" disabled={busy} onClick={() => void run()}>
              {props.confirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
