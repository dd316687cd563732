/** The frame of every page: its heading, what it is for, an error banner, and a spinner while the first load runs. */
import {
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { useEffect, useRef, type ReactNode } from 'react';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0 },
  header: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  title: { ...typographyStyles.title2, margin: 0, ':focus': { outlineStyle: 'none' } },
  description: { color: tokens.colorNeutralForeground3, fontWeight: tokens.fontWeightRegular },
});

export function Page(props: {
  title: string;
  description?: string;
  error?: string;
  loading?: boolean;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  const styles = useStyles();
  const heading = useRef<HTMLHeadingElement>(null);
  // A new page takes the focus to its heading, so keyboard and screen-reader users know where they are.
  useEffect(() => {
    document.title = `${props.title} · pimflow`;
    heading.current?.focus();
  }, [props.title]);
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <header className={styles.header}>
        <h1 id="page-title" ref={heading} tabIndex={-1} className={styles.title}>
          {props.title}
        </h1>
        {props.description ? (
          <Subtitle2 as="p" className={styles.description}>
            {props.description}
          </Subtitle2>
        ) : null}
        {props.actions}
      </header>
      <ErrorBanner message={props.error} />
      {props.loading ? <Spinner label="Loading…" /> : props.children}
    </section>
  );
}

export function ErrorBanner(props: { message: string | undefined; title?: string }) {
  if (!props.message) return null;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {props.title ? <strong>{props.title} </strong> : null}
        {props.message}
      </MessageBarBody>
    </MessageBar>
  );
}

export function SuccessBanner(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{props.message}</MessageBarBody>
    </MessageBar>
  );
}
