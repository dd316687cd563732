/** Admin · Role settings. (Being built.) */
import type { Route } from '../../../app/router';
import { Page } from '../../../components/page';

export default function Placeholder(props: { route: Route }) {
  return <Page title="Role settings" description={props.route.segments.slice(2).join(' / ')} />;
}
