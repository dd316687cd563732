/**
 * What an admin can do to one instance (seed 000's Results page): stop it early, reset its decisions, apply them
 * (unless auto-apply does), and, for everyone who reads it, download its results as CSV (the API's own export).
 */
import { Button } from '@fluentui/react-components';
import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { usePortal } from '../../../app/portal-context';
import { ConfirmButton } from './ConfirmButton';
import { instanceName, instancePath, type Instance } from './review-api';
import { useTableStyles } from './table-styles';

export function InstanceActions(props: {
  instance: Instance;
  autoApply: boolean;
  onChanged(message: string): void;
  onError(message: string): void;
}) {
  const styles = useTableStyles();
  const { api, isAdmin } = usePortal();
  const [downloading, setDownloading] = useState(false);
  const i = props.instance;
  const name = instanceName(i);
  const path = instancePath(i.definitionId, i.id);
  const act = async (action: string, done: string) => {
    await api.post(`${path}/${action}`);
    props.onChanged(done);
  };
  const download = async () => {
    setDownloading(true);
    try {
      const res = await api.fetch(`${path}/decisions?$format=csv&$top=999`, {
        headers: { accept: 'text/csv' },
      });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `access-review-${name.replace(/[^\w.-]+/g, '-')}-${i.startDateTime.slice(0, 10)}.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      props.onError(errorMessage(err));
    } finally {
      setDownloading(false);
    }
  };
  return (
    <div className={styles.actions}>
      {isAdmin ? (
        <>
          <ConfirmButton
            label="Stop"
            ariaLabel={`Stop the review of ${name}`}
            title={`Stop the review of ${name}?`}
            message="Reviewers can't decide after this, items not reviewed take the default decision, and a stopped review can't be restarted."
            confirm="Stop review"
            disabled={i.status !== 'InProgress'}
            onConfirm={() => act('stop', `The review of ${name} was stopped.`)}
          />
          <ConfirmButton
            label="Reset"
            ariaLabel={`Reset the decisions of ${name}`}
            title={`Reset the decisions of ${name}?`}
            message="Every decision taken so far is cleared: all items go back to Not reviewed."
            confirm="Reset decisions"
            disabled={i.status !== 'InProgress'}
            onConfirm={() => act('resetDecisions', `The decisions of ${name} were reset.`)}
          />
          <ConfirmButton
            label="Apply"
            ariaLabel={`Apply the decisions of ${name}`}
            title={`Apply the decisions of ${name}?`}
            message="Access that reviewers denied is removed now. This can't be undone."
            confirm="Apply decisions"
            disabled={i.status !== 'Completed' || props.autoApply}
            onConfirm={() => act('applyDecisions', `Applying the decisions of ${name}.`)}
          />
        </>
      ) : null}
      <Button aria-label={`Download CSV of ${name}`} disabled={downloading} onClick={() => void download()}>
        Download CSV
      </Button>
    </div>
  );
}
