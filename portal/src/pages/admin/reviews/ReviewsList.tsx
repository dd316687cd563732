/** The access reviews (definitions): name, what they review, status, recurrence, the next or last instance. */
import {
  Badge,
  Button,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { usePortal } from '../../../app/portal-context';
import { formatDate } from '../../../app/format';
import { hrefFor, navigate } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { Page } from '../../../components/page';
import {
  DEFINITIONS,
  loadInstances,
  loadNames,
  recurrenceSummary,
  scopeSummary,
  statusLabel,
  type Definition,
} from './review-api';
import { useTableStyles } from './table-styles';
import { listAll } from '../../../api/odata';

export function ReviewsList() {
  const styles = useTableStyles();
  const { api, isAdmin } = usePortal();
  const definitions = useResource(() => listAll<Definition>(api, `${DEFINITIONS}?$top=100`), [api], {
    refreshMs: 15_000,
  });
  const names = useResource(() => loadNames(api), [api]);
  return (
    <Page
      title="Access reviews"
      description="Regular reviews of who still needs the roles pimflow manages."
      error={definitions.error}
      loading={definitions.loading}
      actions={
        isAdmin ? (
          <div>
            <Button
              appearance="primary"
              icon={<AddRegular />}
              onClick={() => navigate('admin', 'reviews', 'new')}
            >
              New access review
            </Button>
          </div>
        ) : null
      }
    >
      {definitions.data?.length === 0 ? (
        <Text>No access reviews yet.</Text>
      ) : (
        <div className={styles.scroll} role="region" aria-label="Access reviews" tabIndex={0}>
          <Table className={styles.table} aria-label="Access reviews">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Reviews</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Recurrence</TableHeaderCell>
                <TableHeaderCell>Current or next</TableHeaderCell>
                <TableHeaderCell>Created</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {(definitions.data ?? []).map((d) => (
                <TableRow key={d.id}>
                  <TableCell>
                    <Link href={hrefFor('admin', 'reviews', d.id)}>{d.displayName}</Link>
                  </TableCell>
                  <TableCell>{scopeSummary(d, names.data)}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={d.status === 'InProgress' ? 'brand' : 'informative'}>
                      {statusLabel(d.status)}
                    </Badge>
                  </TableCell>
                  <TableCell>{recurrenceSummary(d.settings.recurrence)}</TableCell>
                  <TableCell>
                    <NextOrLast definitionId={d.id} />
                  </TableCell>
                  <TableCell>{formatDate(d.createdDateTime)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </Page>
  );
}

/** The instance in progress (until its end), else the next planned, else the last one's end. */
function NextOrLast(props: { definitionId: string }) {
  const { api } = usePortal();
  const instances = useResource(() => loadInstances(api, props.definitionId), [api, props.definitionId]);
  const all = instances.data;
  if (!all) return <Text>{instances.error ? '—' : '…'}</Text>;
  const running = all.find((i) => i.status === 'InProgress');
  if (running) return <Text>In progress until {formatDate(running.endDateTime)}</Text>;
  const next = all
    .filter((i) => i.status === 'NotStarted')
    .sort((a, b) => a.startDateTime.localeCompare(b.startDateTime))[0];
  if (next) return <Text>Next on {formatDate(next.startDateTime)}</Text>;
  const last = [...all].sort((a, b) => b.endDateTime.localeCompare(a.endDateTime))[0];
  return (
    <Text>{last ? `Last ended ${formatDate(last.completedDateTime ?? last.endDateTime)}` : 'None yet'}</Text>
  );
}
