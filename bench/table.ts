/** Prints benchmark results as a Markdown table (pasteable into an issue note). */
export interface BenchRow {
  metric: string;
  value: string | number;
  target?: string;
  ok?: boolean;
}

export function printTable(title: string, rows: BenchRow[]): void {
  const lines = [`### ${title}`, '', '| metric | value | target | met |', '| --- | ---: | --- | --- |'];
  for (const r of rows) {
    const met = r.ok === undefined ? '' : r.ok ? 'yes' : 'NO';
    lines.push(
      `| ${r.metric} | ${typeof r.value === 'number' ? round(r.value) : r.value} | ${r.target ?? ''} | ${met} |`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
