/**
 * The signed-in portal: a header with the main navigation and the user, and the page the route names. Admin pages
 * load on demand (most people never open them), so the first load stays small.
 */
import { Button, Link, Spinner, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { lazy, Suspense } from 'react';
import { PortalContext, type Portal } from './portal-context';
import { hrefFor, useRoute } from './router';
import { MyRolesPage } from '../pages/my-roles/MyRolesPage';

const ApprovalsPage = lazy(() => import('../pages/approvals/ApprovalsPage'));
const ReviewsPage = lazy(() => import('../pages/reviews/ReviewsPage'));
const AdminPage = lazy(() => import('../pages/admin/AdminPage'));

const useStyles = makeStyles({
  shell: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, marginRight: 'auto' },
  user: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  nav: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  navLink: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: 'none',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover, textDecorationLine: 'none' },
  },
  current: {
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorBrandForeground1,
    boxShadow: `inset 0 -2px 0 ${tokens.colorBrandStroke1}`,
  },
  main: {
    flexGrow: 1,
    width: '100%',
    maxWidth: '1280px',
    boxSizing: 'border-box',
    margin: '0 auto',
    padding: tokens.spacingHorizontalL,
    '@media (max-width: 600px)': { padding: tokens.spacingHorizontalS },
  },
  signOut: { color: tokens.colorNeutralForegroundOnBrand },
});

const SECTIONS = [
  { segment: 'my-roles', label: 'My roles' },
  { segment: 'approvals', label: 'Approve requests' },
  { segment: 'reviews', label: 'Access reviews' },
] as const;

export function App(props: { portal: Portal; onSignOut: () => void }) {
  const styles = useStyles();
  const route = useRoute();
  const { portal } = props;
  const section = route.segments[0] ?? 'my-roles';
  const sections = [
    ...SECTIONS,
    ...(portal.isAdmin || portal.isAuditor ? [{ segment: 'admin', label: 'Admin' } as const] : []),
  ];
  return (
    <PortalContext.Provider value={portal}>
      <div className={styles.shell}>
        <header className={styles.header}>
          <Text className={styles.brand}>pimflow · Privileged access</Text>
          <span className={styles.user}>
            <Text>{portal.me.displayName ?? portal.me.userPrincipalName ?? portal.me.id}</Text>
            <Button appearance="transparent" className={styles.signOut} onClick={props.onSignOut}>
              Sign out
            </Button>
          </span>
        </header>
        <nav className={styles.nav} aria-label="Main">
          {sections.map((s) => (
            <Link
              key={s.segment}
              href={hrefFor(s.segment)}
              className={mergeClasses(styles.navLink, section === s.segment && styles.current)}
              aria-current={section === s.segment ? 'page' : undefined}
            >
              {s.label}
            </Link>
          ))}
        </nav>
        <main className={styles.main}>
          <Suspense fallback={<Spinner label="Loading…" />}>
            {section === 'approvals' ? (
              <ApprovalsPage />
            ) : section === 'reviews' ? (
              <ReviewsPage route={route} />
            ) : section === 'admin' && (portal.isAdmin || portal.isAuditor) ? (
              <AdminPage route={route} />
            ) : (
              <MyRolesPage />
            )}
          </Suspense>
        </main>
      </div>
    </PortalContext.Provider>
  );
}
