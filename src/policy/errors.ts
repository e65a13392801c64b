import { ValidationError } from '../core/errors.js';

export type PolicySeverity = 'error' | 'warning';

/**
 * One problem found in a policy file, pinned to the YAML node at fault so an operator can jump
 * straight to it. Warnings use the same shape: they point at something that loads but will not
 * behave as the author probably expects.
 */
export class PolicyError extends ValidationError {
  constructor(
    readonly file: string,
    /** 1-based; 0 when the problem concerns the file as a whole (unreadable, for instance). */
    readonly line: number,
    readonly column: number,
    /** Tetragon-style field path, e.g. `spec.kprobes[0].selectors[0].matchArgs[1].operator`;
     * empty for problems that have no field (YAML syntax, unreadable file). */
    readonly field: string,
    message: string,
    readonly severity: PolicySeverity = 'error',
  ) {
    super(message, { file, line, column, field, severity });
  }

  /** `FILE:LINE:COL: FIELD: message`; the parts that do not apply are left out. */
  format(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.column}` : this.file;
    const field = this.field ? ` ${this.field}:` : '';
    const level = this.severity === 'warning' ? ' warning:' : '';
    return `${where}:${field}${level} ${this.message}`;
  }

  override toString(): string {
    return this.format();
  }
}
