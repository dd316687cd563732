/**
 * A button whose action is confirmed in a dialog first (stop, reset, apply and delete can't be undone). The dialog is
 * the browser's own modal `<dialog>` (focus kept inside, Escape closes, the page behind inert): Fluent's Dialog leaves
 * tabster's focus sentinels in the page once it has been used, which axe reports as focusable hidden elements.
 */
import { Button, makeStyles, tokens, type ButtonProps } from '@fluentui/react-components';
import { useId, useRef, useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { ErrorBanner } from '../../../components/page';

const useStyles = makeStyles({
  dialog: {
    width: 'min(480px, calc(100vw - 32px))',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalXL,
    border: 'none',
    borderRadius: tokens.borderRadiusXLarge,
    boxShadow: tokens.shadow64,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    '::backdrop': { backgroundColor: 'rgba(0, 0, 0, 0.4)' },
  },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'flex-end',
    gap: tokens.spacingHorizontalS,
    marginTop: tokens.spacingVerticalL,
  },
});

export function ConfirmButton(props: {
  label: string;
  /** The button's accessible name when the label alone is ambiguous (several instances on one page). */
  ariaLabel?: string;
  title: string;
  message: string;
  confirm: string;
  disabled?: boolean;
  appearance?: ButtonProps['appearance'];
  onConfirm(): Promise<void>;
}) {
  const styles = useStyles();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        appearance={props.appearance}
        disabled={props.disabled}
        aria-label={props.ariaLabel}
        aria-haspopup="dialog"
        onClick={() => {
          setError(undefined);
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </Button>
      <dialog ref={dialog} className={styles.dialog} aria-labelledby={titleId}>
        <h2 id={titleId} className={styles.title}>
          {props.title}
        </h2>
        <p>{props.message}</p>
        <ErrorBanner message={error} />
        <div className={styles.actions}>
          <Button disabled={busy} onClick={() => dialog.current?.close()}>
            Cancel
          </Button>
          <Button appearance="primary" disabled={busy} onClick={() => void run()}>
            {props.confirm}
          </Button>
        </div>
      </dialog>
    </>
  );
}
