/** My roles: eligible and active assignments, activation, my requests. (Being built.) */
import { Page } from '../../components/page';

export function MyRolesPage() {
  return <Page title="My roles" description="Activate the roles you are eligible for." />;
}
