/**
 * One review (`#/reviews/<definitionId>/<instanceId>`): the reviewer's items with the recommendation and its
 * evidence, a decision per item (Approve / Deny / Don't know with a reason), Accept recommendations, decisions for
 * several selected items at once, and the progress. A multi-stage review shows its current stage (the API's
 * decisions are that stage's). Once the review has ended, everything is read-only.
 */
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Link,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Switch,
  Text,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { formatDate, formatDateTime } from '../../app/format';
import { usePortal } from '../../app/portal-context';
import { hrefFor } from '../../app/router';
import { useResource } from '../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../components/page';
import { DecideDialog, type Action, type DecideRequest } from './DecideDialog';
import {
  ACTION_LABELS,
  DECISION_LABELS,
  instancePath,
  isEnded,
  itemRoleName,
  throughGroupNote,
  myDefinitions,
  myItems,
  progressOf,
  reviewedRoleName,
  signInEvidence,
  type DecisionItem,
  type ReviewInstance,
  type ReviewStage,
} from './reviews-api';

const PAGE_SIZE = 50;
const ACTIONS: Action[] = ['Approve', 'Deny', 'DontKnow'];

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { ...typographyStyles.subtitle1, margin: 0 },
  facts: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalXS,
  },
  meta: { color: tokens.colorNeutralForeground3 },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
  },
  bulk: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  item: {
    display: 'grid',
    gridTemplateColumns: 'auto minmax(0, 1fr) auto',
    alignItems: 'start',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalS,
    '@media (max-width: 720px)': { gridTemplateColumns: 'auto minmax(0, 1fr)' },
  },
  who: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  name: { ...typographyStyles.body1Strong, margin: 0, overflowWrap: 'anywhere' },
  upn: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    justifyContent: 'flex-end',
    '@media (max-width: 720px)': { gridColumn: '1 / -1', justifyContent: 'flex-start' },
  },
  reason: { fontStyle: 'italic', overflowWrap: 'anywhere' },
});

interface ReviewData {
  instance: ReviewInstance;
  items: DecisionItem[];
  stages: ReviewStage[];
  displayName: string;
  description: string | null;
  justificationRequired: boolean;
}

export function ReviewPage(props: { definitionId: string; instanceId: string }) {
  const { api } = usePortal();
  const styles = useStyles();
  const { definitionId, instanceId } = props;
  const base = instancePath(definitionId, instanceId);
  const review = useResource<ReviewData>(async () => {
    const [instance, items, stages, definitions] = await Promise.all([
      api.get<ReviewInstance>(base),
      myItems(api, definitionId, instanceId),
      api.get<{ value: ReviewStage[] }>(`${base}/stages`),
      // A reviewer can't read a definition by id (admins and auditors do): their inbox lists it.
      myDefinitions(api),
    ]);
    const definition = definitions.find((d) => d.id === definitionId);
    return {
      instance,
      items,
      stages: stages.value,
      displayName: definition?.displayName ?? 'Access review',
      description: definition?.descriptionForReviewers ?? null,
      justificationRequired: definition?.settings.justificationRequiredOnApproval ?? false,
    };
  }, [api, base]);

  const [onlyNotReviewed, setOnlyNotReviewed] = useState(false);
  const [shown, setShown] = useState(PAGE_SIZE);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [request, setRequest] = useState<DecideRequest>();
  const [success, setSuccess] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [accepting, setAccepting] = useState(false);

  const data = review.data;
  const items = useMemo(() => data?.items ?? [], [data]);
  const visible = useMemo(
    () => (onlyNotReviewed ? items.filter((i) => i.decision === 'NotReviewed') : items),
    [items, onlyNotReviewed],
  );
  const page = visible.slice(0, shown);
  const selectedItems = items.filter((i) => selected.has(i.id));
  const progress = progressOf(items);
  const open = data?.instance.status === 'InProgress';
  const recommended = items.filter(
    (i) => i.decision === 'NotReviewed' && i.recommendation !== 'NoInfoAvailable',
  );
  const currentStage = data?.stages.findIndex((s) => s.status === 'InProgress') ?? -1;

  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allShownSelected = page.length > 0 && page.every((i) => selected.has(i.id));
  const someShownSelected = page.some((i) => selected.has(i.id));

  async function acceptRecommendations() {
    setAccepting(true);
    setSuccess(undefined);
    setActionError(undefined);
    try {
      await api.post(`${base}/acceptRecommendations`);
      setSuccess(`Accepted ${recommended.length} recommendation${recommended.length === 1 ? '' : 's'}.`);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setAccepting(false);
      await review.reload();
    }
  }

  function decided(message: string, failures: string[]) {
    setRequest(undefined);
    setSuccess(message);
    setActionError(failures.length > 0 ? `Not recorded — ${failures.join('; ')}` : undefined);
    setSelected(new Set());
    void review.reload();
  }

  const decide = (decision: Action, chosen: DecisionItem[]) => {
    setSuccess(undefined);
    setActionError(undefined);
    setRequest({ decision, items: chosen });
  };

  return (
    <Page
      title={data?.displayName ?? 'Access review'}
      description={data?.description ?? undefined}
      error={review.error}
      loading={review.loading}
      actions={<Link href={hrefFor('reviews')}>Back to my reviews</Link>}
    >
      {data ? (
        <>
          <section className={styles.section} aria-labelledby="review-about">
            <h2 id="review-about" className={styles.heading}>
              {reviewedRoleName(data.instance)}
            </h2>
            <div className={styles.facts}>
              <Text>
                {open ? 'Due' : 'Ended'}{' '}
                {formatDate(
                  open
                    ? data.instance.endDateTime
                    : (data.instance.completedDateTime ?? data.instance.endDateTime),
                )}
              </Text>
              {data.stages.length > 0 && currentStage >= 0 ? (
                <Text>
                  Stage {currentStage + 1} of {data.stages.length} · ends{' '}
                  {formatDateTime(data.stages[currentStage]?.endDateTime)}
                </Text>
              ) : null}
              {data.justificationRequired ? <Text>A reason is required to approve.</Text> : null}
            </div>
            {!open ? (
              <MessageBar intent="info">
                <MessageBarBody>
                  {isEnded(data.instance)
                    ? 'This review has ended: its decisions can no longer be changed.'
                    : 'This review has not started yet.'}
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </section>

          <section className={styles.section} aria-labelledby="review-progress">
            <h2 id="review-progress" className={styles.heading}>
              Progress
            </h2>
            <ProgressBar
              value={progress.total === 0 ? 0 : progress.reviewed / progress.total}
              thickness="large"
              aria-label={`${progress.reviewed} of ${progress.total} reviewed`}
            />
            <Text>
              {progress.reviewed} of {progress.total} reviewed
            </Text>
            <Text className={styles.meta}>
              Approved {progress.approved} · Denied {progress.denied} · Don't know {progress.dontKnow} · Not
              reviewed {progress.total - progress.reviewed}
            </Text>
          </section>

          <SuccessBanner message={success} />
          <ErrorBanner message={actionError} />

          <section className={styles.section} aria-labelledby="review-items">
            <h2 id="review-items" className={styles.heading}>
              Items to review
            </h2>
            <div className={styles.toolbar} role="group" aria-label="Review actions">
              {open ? (
                <Button
                  appearance="primary"
                  disabled={accepting || recommended.length === 0}
                  onClick={() => void acceptRecommendations()}
                >
                  Accept recommendations ({recommended.length})
                </Button>
              ) : null}
              <Switch
                label="Show only items not reviewed"
                checked={onlyNotReviewed}
                onChange={(_, d) => {
                  setOnlyNotReviewed(d.checked);
                  setShown(PAGE_SIZE);
                }}
              />
              {open ? (
                <Checkbox
                  label={`Select all shown (${page.length})`}
                  checked={allShownSelected ? true : someShownSelected ? 'mixed' : false}
                  disabled={page.length === 0}
                  onChange={(_, d) =>
                    setSelected((prev) => {
                      const next = new Set(prev);
                      for (const i of page)
                        if (d.checked === true) next.add(i.id);
                        else next.delete(i.id);
                      return next;
                    })
                  }
                />
              ) : null}
            </div>
            {open && selectedItems.length > 0 ? (
              <div className={styles.bulk} role="group" aria-label="Decide the selected items">
                <Text weight="semibold">{selectedItems.length} selected</Text>
                {ACTIONS.map((a) => (
                  <Button key={a} onClick={() => decide(a, selectedItems)}>
                    {ACTION_LABELS[a]} selected
                  </Button>
                ))}
                <Button appearance="subtle" onClick={() => setSelected(new Set())}>
                  Clear selection
                </Button>
              </div>
            ) : null}
            {visible.length === 0 ? (
              <Text>
                {items.length === 0 ? 'You have no items in this review.' : 'Every item has been reviewed.'}
              </Text>
            ) : (
              <ul className={styles.list} aria-label="Items">
                {page.map((item) => (
                  <ItemCard
                    key={item.id}
                    item={item}
                    open={open}
                    selected={selected.has(item.id)}
                    onSelect={(on) => toggle(item.id, on)}
                    onDecide={(a) => decide(a, [item])}
                  />
                ))}
              </ul>
            )}
            {visible.length > shown ? (
              <Button onClick={() => setShown((n) => n + PAGE_SIZE)}>
                Show {Math.min(PAGE_SIZE, visible.length - shown)} more ({visible.length - shown} not shown)
              </Button>
            ) : null}
          </section>

          {request ? (
            <DecideDialog
              definitionId={definitionId}
              instanceId={instanceId}
              request={request}
              justificationRequired={data.justificationRequired}
              onDone={decided}
              onCancel={() => setRequest(undefined)}
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function ItemCard(props: {
  item: DecisionItem;
  open: boolean;
  selected: boolean;
  onSelect(on: boolean): void;
  onDecide(a: Action): void;
}) {
  const styles = useStyles();
  const { item } = props;
  const name = item.principal.displayName ?? item.principal.id;
  const kind = { user: 'User', group: 'Group', servicePrincipal: 'Service principal' }[item.principal.type];
  return (
    <li>
      <Card className={styles.item}>
        {props.open ? (
          <Checkbox
            aria-label={`Select ${name}`}
            checked={props.selected}
            onChange={(_, d) => props.onSelect(d.checked === true)}
          />
        ) : (
          <span />
        )}
        <div className={styles.who}>
          <h3 className={styles.name}>{name}</h3>
          <Text className={styles.upn}>
            {item.principal.userPrincipalName ? `${item.principal.userPrincipalName} · ${kind}` : kind}
          </Text>
          <Text>
            {itemRoleName(item)} · {item.assignmentType === 'eligible' ? 'Eligible' : 'Active'}
          </Text>
          {throughGroupNote(item) ? (
            <Text className={styles.upn}>
              {throughGroupNote(item)}: denying doesn&apos;t remove them from the group; an admin is asked to.
            </Text>
          ) : null}
          <div className={styles.line}>
            {item.recommendation === 'NoInfoAvailable' ? (
              <Badge appearance="outline" color="informative">
                No recommendation
              </Badge>
            ) : (
              <Badge appearance="tint" color={item.recommendation === 'Approve' ? 'success' : 'danger'}>
                Recommended: {ACTION_LABELS[item.recommendation]}
              </Badge>
            )}
            <Text className={styles.upn}>{signInEvidence(item)}</Text>
          </div>
          <div className={styles.line}>
            <Badge
              appearance={item.decision === 'NotReviewed' ? 'outline' : 'filled'}
              color={
                item.decision === 'Approve' ? 'success' : item.decision === 'Deny' ? 'danger' : 'informative'
              }
            >
              {DECISION_LABELS[item.decision]}
            </Badge>
            {item.decision !== 'NotReviewed' && item.reviewedBy.displayName ? (
              <Text className={styles.upn}>
                by {item.reviewedBy.displayName}
                {item.reviewedDateTime ? `, ${formatDateTime(item.reviewedDateTime)}` : ''}
              </Text>
            ) : null}
          </div>
          {item.justification ? <Text className={styles.reason}>“{item.justification}”</Text> : null}
        </div>
        {props.open ? (
          <div className={styles.actions}>
            {ACTIONS.map((a) => (
              <Button
                key={a}
                size="small"
                appearance={item.decision === a ? 'primary' : 'secondary'}
                aria-label={`${ACTION_LABELS[a]} ${name}`}
                onClick={() => props.onDecide(a)}
              >
                {ACTION_LABELS[a]}
              </Button>
            ))}
          </div>
        ) : null}
      </Card>
    </li>
  );
}
