import { useTableStyles, type Facts } from './table-styles';

export function FactList(props: { facts: Facts }) {
  const styles = useTableStyles();
  return (
    <dl className={styles.facts}>
      {props.facts.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
