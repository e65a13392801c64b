import { visibleText } from '../core/visible-text.js';

/** Output for humans (aligned tables) and for scripts (--json), from one place. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Attacker input must not drive the operator's terminal, nor hide or reorder itself in it. */
export function safeText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return visibleText(typeof value === 'string' ? value : String(value));
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longest a cell may be before it is cut with an ellipsis. */
  max?: number;
}

export function printTable<T>(rows: T[], columns: Column<T>[]): void {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const text = safeText(column.value(row));
      const max = column.max ?? 60;
      return text.length > max ? `${text.slice(0, max - 1)}…` : text;
    }),
  );
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.header))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
  if (rows.length === 0) process.stdout.write('(none)\n');
}

/** Key/value pairs, one per line, keys aligned. */
export function printFields(fields: [string, unknown][]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) process.stdout.write(`${key.padEnd(width)}  ${safeText(value)}\n`);
}
