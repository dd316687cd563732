/**
 * Admin · Access reviews (auditors read only): `#/admin/reviews` the list, `#/admin/reviews/new` the create wizard,
 * `#/admin/reviews/<definitionId>` a review's overview, `#/admin/reviews/<definitionId>/<instanceId>` one instance
 * with its decisions.
 */
import type { Route } from '../../../app/router';
import { CreateReview } from './CreateReview';
import { InstanceDetail } from './InstanceDetail';
import { ReviewOverview } from './ReviewOverview';
import { ReviewsList } from './ReviewsList';

export default function AdminReviewsPage(props: { route: Route }) {
  const [, , definitionId, instanceId] = props.route.segments;
  if (definitionId === 'new') return <CreateReview />;
  if (definitionId && instanceId)
    return <InstanceDetail key={instanceId} definitionId={definitionId} instanceId={instanceId} />;
  if (definitionId) return <ReviewOverview key={definitionId} definitionId={definitionId} />;
  return <ReviewsList />;
}
