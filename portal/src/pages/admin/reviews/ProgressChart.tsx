/**
 * A review's progress: one horizontal bar split into approved, denied, don't know and not reviewed, with a legend that
 * says the numbers in words (the bar is decoration for screen readers: the list carries the same facts).
 */
import { Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { DECISION_LABELS, type Decision, type DecisionCounts } from './review-api';

const ORDER: Decision[] = ['Approve', 'Deny', 'DontKnow', 'NotReviewed'];

const useStyles = makeStyles({
  chart: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  bar: {
    display: 'flex',
    height: '20px',
    width: '100%',
    borderRadius: tokens.borderRadiusMedium,
    overflow: 'hidden',
    backgroundColor: tokens.colorNeutralBackground3,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  item: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  swatch: { width: '12px', height: '12px', borderRadius: '2px', flexShrink: 0 },
  Approve: { backgroundColor: tokens.colorPaletteGreenBackground3 },
  Deny: { backgroundColor: tokens.colorPaletteRedBackground3 },
  DontKnow: { backgroundColor: tokens.colorPaletteMarigoldBackground3 },
  NotReviewed: { backgroundColor: tokens.colorNeutralForeground4 },
});

export function ProgressChart(props: { counts: DecisionCounts; label: string }) {
  const styles = useStyles();
  const total = ORDER.reduce((n, d) => n + props.counts[d], 0);
  const reviewed = total - props.counts.NotReviewed;
  return (
    <figure className={styles.chart} style={{ margin: 0 }} aria-label={props.label}>
      <Text weight="semibold">
        {reviewed} of {total} reviewed
      </Text>
      <div className={styles.bar} aria-hidden="true">
        {ORDER.map((d) =>
          props.counts[d] > 0 ? (
            <div key={d} className={styles[d]} style={{ width: `${(100 * props.counts[d]) / total}%` }} />
          ) : null,
        )}
      </div>
      <ul className={styles.legend}>
        {ORDER.map((d) => (
          <li key={d} className={styles.item}>
            <span className={mergeClasses(styles.swatch, styles[d])} aria-hidden="true" />
            <Text>
              {DECISION_LABELS[d]}: {props.counts[d]}
            </Text>
          </li>
        ))}
      </ul>
    </figure>
  );
}
