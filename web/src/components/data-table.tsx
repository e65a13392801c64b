import type { ReactNode } from 'react';

export interface Column {
  label: string;
  /** Right-aligned, for counts. */
  numeric?: boolean;
  /** Named for screen readers only (toggle and action columns). */
  hidden?: boolean;
  className?: string;
}

interface DataTableProps {
  label: string;
  columns: Column[];
  compact?: boolean;
  children: ReactNode;
}

/** A scrollable table with a header row; rows come as children. */
export function DataTable({ label, columns, compact, children }: DataTableProps) {
  return (
    <div className="table-wrap">
      <table className={compact ? 'table table-compact' : 'table'} aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={[column.numeric ? 'numeric' : '', column.className ?? ''].join(' ').trim() || undefined}>
                {column.hidden ? <span className="offscreen">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The header of a column of expand toggles. */
export const TOGGLE_COLUMN: Column = { label: 'Details', hidden: true, className: 'cell-toggle' };

interface ExpandToggleProps {
  expanded: boolean;
  onToggle(): void;
  /** What opening shows, e.g. "hit details". */
  what: string;
}

/** The cell that opens and closes a row's detail. */
export function ExpandToggleCell({ expanded, onToggle, what }: ExpandToggleProps) {
  return (
    <td className="cell-toggle">
      <button
        type="button"
        className="toggle"
        aria-expanded={expanded}
        aria-label={`${expanded ? 'Hide' : 'Show'} ${what}`}
        onClick={(event) => {
          event.stopPropagation();
          onToggle();
        }}
      >
        <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
      </button>
    </td>
  );
}
