import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { PolicyError, type PolicySeverity } from './errors.js';
import type { SourcePos } from './model.js';

// Policies are read straight from the YAML nodes rather than from a converted object: every value
// keeps its position, so each problem can name its exact line and column and its field path
// without a separate step that maps paths back onto the document.

/** Tetragon fields Tripline recognises but cannot honour; named so the message says so. */
const TETRAGON_ONLY_FIELDS = new Set([
  'tracepoints',
  'uprobes',
  'usdts',
  'fentries',
  'lists',
  'enforcers',
  'loader',
  'hostSelector',
  'nodeSelector',
  'selectorsMacros',
  'data',
  'returnArgAction',
  'matchData',
  'matchReturnArgs',
  'matchReturnActions',
  'matchNamespaces',
  'matchNamespaceChanges',
  'matchCapabilities',
  'matchCapabilityChanges',
  'matchWorkloads',
  'macros',
  'resolve',
  'sizeArgIndex',
  'returnCopy',
  'maxData',
  'source',
  'btfType',
  'btfTypeModule',
  'args',
  'argFd',
  'argName',
  'argSock',
  'argIndex',
  'argValue',
  'argRegs',
  'argNewSymbol',
  'argNewAddr',
  'argNewOffset',
]);

/** Where problems go while one document is read. */
export class ReadContext {
  readonly errors: PolicyError[] = [];
  readonly warnings: PolicyError[] = [];

  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
    readonly doc: Document,
  ) {}

  position(offset: number): SourcePos {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  report(offset: number, field: string, message: string, severity: PolicySeverity): void {
    const { line, column } = this.position(offset);
    const problem = new PolicyError(this.file, line, column, field, message, severity);
    (severity === 'error' ? this.errors : this.warnings).push(problem);
  }
}

/** A place in a document: the node found there (null when absent) and its field path. */
export class Cursor {
  readonly node: Node | null;

  constructor(
    readonly ctx: ReadContext,
    node: Node | null | undefined,
    readonly field: string,
    /** Where to point when the node is absent: the enclosing node. */
    private readonly fallbackOffset: number,
  ) {
    const resolved = node && isAlias(node) ? node.resolve(ctx.doc) : node;
    this.node = (resolved as Node | undefined) ?? null;
  }

  get offset(): number {
    return this.node?.range?.[0] ?? this.fallbackOffset;
  }

  get pos(): SourcePos {
    return this.ctx.position(this.offset);
  }

  /** False for a missing key and for an explicit null (`key:` with nothing after it). */
  get present(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  error(message: string): undefined {
    this.ctx.report(this.offset, this.field, message, 'error');
    return undefined;
  }

  warn(message: string): void {
    this.ctx.report(this.offset, this.field, message, 'warning');
  }

  /** Reads a mapping whose keys must all be in `known`; unknown keys are reported at the key. */
  fields(known: readonly string[]): Fields | undefined {
    if (!isMap(this.node)) return this.error(`expected a mapping, got ${describe(this.node)}`);
    const children = new Map<string, Cursor>();
    for (const pair of this.node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const keyOffset = keyNode?.range?.[0] ?? this.offset;
      const child = new Cursor(this.ctx, pair.value as Node | null, join(this.field, key), keyOffset);
      if (!known.includes(key)) {
        new Cursor(this.ctx, keyNode, child.field, keyOffset).error(unknownFieldMessage(key, known));
        continue;
      }
      children.set(key, child);
    }
    return new Fields(this, children);
  }

  /** A mapping of free-form keys to string values, as Kubernetes labels and annotations are. */
  stringMap(): Record<string, string> | undefined {
    if (!this.present) return {};
    if (!isMap(this.node)) return this.error(`expected a mapping, got ${describe(this.node)}`);
    const out: Record<string, string> = {};
    for (const pair of this.node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const keyOffset = (pair.key as Node | null)?.range?.[0] ?? this.offset;
      const value = new Cursor(this.ctx, pair.value as Node | null, join(this.field, key), keyOffset).text();
      if (value === undefined) return undefined;
      out[key] = value;
    }
    return out;
  }

  /** Reads a sequence; an absent or null node reads as an empty list, as Tetragon treats it. */
  items(): Cursor[] | undefined {
    if (!this.present) return [];
    if (!isSeq(this.node)) return this.error(`expected a list, got ${describe(this.node)}`);
    return this.node.items.map((item, i) => new Cursor(this.ctx, item as Node | null, `${this.field}[${i}]`, this.offset));
  }

  string(): string | undefined {
    const value = this.scalar();
    if (typeof value === 'string') return value;
    return this.error(`expected a string, got ${describe(this.node)}`);
  }

  boolean(): boolean | undefined {
    const value = this.scalar();
    if (typeof value === 'boolean') return value;
    return this.error(`expected true or false, got ${describe(this.node)}`);
  }

  /** An integer within [min, max]. */
  integer(min: number, max: number): number | undefined {
    const value = this.scalar();
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return this.error(`expected an integer, got ${describe(this.node)}`);
    }
    if (value < min || value > max) return this.error(`must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  /** A string, or a number written without quotes (`- 2`), as text: Tetragon's value lists are
   * strings, but its own examples often leave numbers unquoted. */
  text(): string | undefined {
    const value = this.scalar();
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) {
      const source = isScalar(this.node) ? this.node.source : undefined;
      return typeof source === 'string' ? source : String(value);
    }
    return this.error(`expected a string or a number, got ${describe(this.node)}`);
  }

  private scalar(): unknown {
    return isScalar(this.node) ? this.node.value : undefined;
  }
}

/** The keys of one mapping, read. */
export class Fields {
  constructor(
    readonly at: Cursor,
    private readonly children: Map<string, Cursor>,
  ) {}

  has(key: string): boolean {
    return this.children.get(key)?.present ?? false;
  }

  /** The cursor for `key`; when absent it points at the mapping itself. */
  get(key: string): Cursor {
    return this.children.get(key) ?? new Cursor(this.at.ctx, null, join(this.at.field, key), this.at.offset);
  }

  /** A boolean that takes `absent` when missing; undefined (reported) when not a boolean. */
  flag(key: string, absent = false): boolean | undefined {
    const at = this.get(key);
    return at.present ? at.boolean() : absent;
  }

  /** Like get, but reports a missing or null key and returns undefined. */
  require(key: string): Cursor | undefined {
    const child = this.get(key);
    if (child.present) return child;
    // Point at the mapping that lacks the key: the key itself has no position.
    new Cursor(this.at.ctx, null, child.field, this.at.offset).error('is required');
    return undefined;
  }
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
    if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  }
  return 'an unsupported value';
}

function unknownFieldMessage(key: string, known: readonly string[]): string {
  if (TETRAGON_ONLY_FIELDS.has(key)) {
    return `${key} is a Tetragon field that Tripline does not support here; supported: ${known.join(', ')}`;
  }
  const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = near ? ` (did you mean ${near}?)` : '';
  return `unknown field ${JSON.stringify(key)}${hint}; expected one of ${known.join(', ')}`;
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
