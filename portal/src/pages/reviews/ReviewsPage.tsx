/** Access reviews: my pending reviews and their items. (Being built.) */
import type { Route } from '../../app/router';
import { Page } from '../../components/page';

export default function ReviewsPage(props: { route: Route }) {
  return <Page title="Access reviews" description={props.route.segments.join(' / ')} />;
}
