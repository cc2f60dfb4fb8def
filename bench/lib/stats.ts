/** Small statistics and formatting helpers of the benchmark. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
export const p95 = (values: readonly number[]) => quantile(values, 0.95);
export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);
export const kb = (bytes: number) => round(bytes / 1024, 1);

/** A plain-text table (first row = header). */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? String(round(c)) : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Growth of a cost from the small to the large run, against the growth of the size. */
export function growth(small: number, large: number, factor: number) {
  const ratio = large / small;
  return { ratio: round(ratio), perUnitRatio: round(ratio / factor), verdict: ratio <= factor * 1.25 ? (ratio < factor * 0.8 ? 'better than linear' : 'linear') : 'worse than linear' };
}
