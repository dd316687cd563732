/**
 * My pending reviews (`#/reviews`): every review instance in which the signed-in user reviews items, the ones still
 * open first, each with what it reviews, its due date and how far the reviewer got, opening the review itself.
 */
import {
  Badge,
  Card,
  Link,
  ProgressBar,
  Text,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { usePortal } from '../../app/portal-context';
import { formatDate } from '../../app/format';
import { hrefFor } from '../../app/router';
import { useResource } from '../../app/use-resource';
import { Page } from '../../components/page';
import {
  myDefinitions,
  myInstances,
  myItems,
  isEnded,
  progressOf,
  reviewedRoleName,
  type Progress,
  type ReviewDefinition,
  type ReviewInstance,
} from './reviews-api';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gap: tokens.spacingVerticalM,
    gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))',
    '@media (max-width: 600px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  card: { height: '100%', boxSizing: 'border-box' },
  name: { ...typographyStyles.subtitle2, margin: 0 },
  section: { ...typographyStyles.subtitle1, margin: 0 },
  meta: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

interface InboxEntry {
  definition: ReviewDefinition;
  instance: ReviewInstance;
  progress: Progress;
}

async function loadInbox(api: ReturnType<typeof usePortal>['api']): Promise<InboxEntry[]> {
  const definitions = await myDefinitions(api);
  const perDefinition = await Promise.all(
    definitions.map(async (definition) => {
      const instances = await myInstances(api, definition.id);
      return Promise.all(
        instances.map(async (instance) => ({
          definition,
          instance,
          progress: progressOf(await myItems(api, definition.id, instance.id)),
        })),
      );
    }),
  );
  return perDefinition.flat().sort((a, b) => a.instance.endDateTime.localeCompare(b.instance.endDateTime));
}

export function ReviewInbox() {
  const { api } = usePortal();
  const styles = useStyles();
  const inbox = useResource(() => loadInbox(api), [api]);
  const entries = inbox.data ?? [];
  const open = entries.filter((e) => e.instance.status === 'InProgress');
  // Completed, then Applying and Applied once its decisions are applied.
  const ended = entries.filter((e) => isEnded(e.instance)).reverse();
  return (
    <Page
      title="Access reviews"
      description="Reviews waiting for you: confirm who still needs their access."
      error={inbox.error}
      loading={inbox.loading}
    >
      <h2 className={styles.section}>My pending reviews</h2>
      {open.length === 0 ? <Text>No reviews are waiting for you.</Text> : <ReviewList entries={open} />}
      {ended.length > 0 ? (
        <>
          <h2 className={styles.section}>Ended reviews</h2>
          <ReviewList entries={ended} />
        </>
      ) : null}
    </Page>
  );
}

function ReviewList(props: { entries: InboxEntry[] }) {
  const styles = useStyles();
  return (
    <ul className={styles.list}>
      {props.entries.map(({ definition, instance, progress }) => {
        const done = progress.total > 0 && progress.reviewed === progress.total;
        return (
          <li key={instance.id}>
            <Card className={styles.card}>
              <h3 className={styles.name}>
                <Link href={hrefFor('reviews', definition.id, instance.id)}>{definition.displayName}</Link>
              </h3>
              <Text>{reviewedRoleName(instance)}</Text>
              <div className={styles.row}>
                <Text className={styles.meta}>
                  {instance.status === 'InProgress'
                    ? `Due ${formatDate(instance.endDateTime)}`
                    : `Ended ${formatDate(instance.completedDateTime ?? instance.endDateTime)}`}
                </Text>
                {done ? (
                  <Badge appearance="tint" color="success">
                    Done
                  </Badge>
                ) : null}
              </div>
              <ProgressBar
                value={progress.total === 0 ? 0 : progress.reviewed / progress.total}
                aria-label={`${definition.displayName}: ${progress.reviewed} of ${progress.total} reviewed`}
              />
              <Text>
                {progress.reviewed} of {progress.total} reviewed
              </Text>
            </Card>
          </li>
        );
      })}
    </ul>
  );
}
