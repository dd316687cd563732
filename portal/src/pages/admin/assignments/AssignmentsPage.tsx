/** Admin · Assignments. (Being built.) */
import type { Route } from '../../../app/router';
import { Page } from '../../../components/page';

export default function Placeholder(props: { route: Route }) {
  return <Page title="Assignments" description={props.route.segments.slice(2).join(' / ')} />;
}
