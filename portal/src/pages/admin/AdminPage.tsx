/**
 * Admin (PimFlow.Admin; auditors see the same pages read-only): a sub-navigation over the admin areas, each loaded on
 * demand. Routes: `#/admin/<area>/...`; each area reads the rest of the route itself.
 */
import { Link, Spinner, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { lazy, Suspense } from 'react';
import { hrefFor, type Route } from '../../app/router';

const AREAS = [
  { segment: 'resources', label: 'Resources', page: lazy(() => import('./resources/ResourcesPage')) },
  { segment: 'settings', label: 'Role settings', page: lazy(() => import('./settings/RoleSettingsPage')) },
  { segment: 'assignments', label: 'Assignments', page: lazy(() => import('./assignments/AssignmentsPage')) },
  { segment: 'reviews', label: 'Access reviews', page: lazy(() => import('./reviews/AdminReviewsPage')) },
  { segment: 'drift', label: 'Drift', page: lazy(() => import('./drift/DriftPage')) },
  { segment: 'audit', label: 'Audit log', page: lazy(() => import('./audit/AuditLogPage')) },
] as const;

const useStyles = makeStyles({
  layout: {
    display: 'grid',
    gridTemplateColumns: '200px minmax(0, 1fr)',
    gap: tokens.spacingHorizontalL,
    '@media (max-width: 720px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  nav: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    '@media (max-width: 720px)': { flexDirection: 'row', flexWrap: 'wrap' },
  },
  link: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: 'none',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover, textDecorationLine: 'none' },
  },
  current: { fontWeight: tokens.fontWeightSemibold, backgroundColor: tokens.colorSubtleBackgroundSelected },
});

export default function AdminPage(props: { route: Route }) {
  const styles = useStyles();
  const current = AREAS.find((a) => a.segment === props.route.segments[1]) ?? AREAS[0];
  const Area = current.page;
  return (
    <div className={styles.layout}>
      <nav className={styles.nav} aria-label="Admin">
        {AREAS.map((a) => (
          <Link
            key={a.segment}
            href={hrefFor('admin', a.segment)}
            className={mergeClasses(styles.link, a === current && styles.current)}
            aria-current={a === current ? 'page' : undefined}
          >
            {a.label}
          </Link>
        ))}
      </nav>
      <Suspense fallback={<Spinner label="Loading…" />}>
        <Area route={props.route} />
      </Suspense>
    </div>
  );
}
