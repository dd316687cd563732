/** Approve requests: the approver's inbox. (Being built.) */
import { Page } from '../../components/page';

export default function ApprovalsPage() {
  return <Page title="Approve requests" />;
}
