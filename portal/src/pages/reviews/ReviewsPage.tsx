/**
 * Access reviews for the reviewer: `#/reviews` is their inbox (my pending reviews), `#/reviews/<definitionId>/
 * <instanceId>` one review's items to decide.
 */
import type { Route } from '../../app/router';
import { ReviewInbox } from './ReviewInbox';
import { ReviewPage } from './ReviewPage';

export default function ReviewsPage(props: { route: Route }) {
  const [, definitionId, instanceId] = props.route.segments;
  if (definitionId && instanceId)
    return <ReviewPage key={instanceId} definitionId={definitionId} instanceId={instanceId} />;
  return <ReviewInbox />;
}
