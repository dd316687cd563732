/** Before the portal: the sign-in button, or why the portal can't start. */
import {
  Button,
  Card,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Title1,
  makeStyles,
  tokens,
} from '@fluentui/react-components';

const useStyles = makeStyles({
  page: {
    minHeight: '100vh',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    padding: tokens.spacingHorizontalL,
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  card: {
    maxWidth: '440px',
    width: '100%',
    padding: tokens.spacingHorizontalXXL,
    gap: tokens.spacingVerticalL,
  },
});

export function SignInPage(props: { onSignIn: () => void; busy?: boolean }) {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <Title1 as="h1">pimflow</Title1>
        <Text as="p">
          Activate your privileged roles just in time, approve requests and review who has access.
        </Text>
        {props.busy ? (
          <Spinner label="Signing you in…" />
        ) : (
          <Button appearance="primary" size="large" onClick={props.onSignIn}>
            Sign in
          </Button>
        )}
      </Card>
    </main>
  );
}

export function StartupProblem(props: { message: string; onSignOut?: () => void }) {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <Title1 as="h1">pimflow can't start</Title1>
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{props.message}</MessageBarBody>
        </MessageBar>
        {props.onSignOut ? <Button onClick={props.onSignOut}>Sign out</Button> : null}
      </Card>
    </main>
  );
}
