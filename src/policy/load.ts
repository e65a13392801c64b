import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments, isMap, isScalar, type YAMLError } from 'yaml';
import { CONTAINER_DECOY_KIND, readContainerDecoy, type ContainerDecoy } from './container-decoy.js';
import { PolicyError } from './errors.js';
import { Cursor, ReadContext } from './reader.js';
import { readPolicy } from './read-policy.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';

export interface LoadResult {
  file: string;
  /** Empty whenever `errors` is not: a file loads whole or not at all. */
  policies: CompiledPolicy[];
  /** Decoys to plant into containers (kind ContainerDecoy); empty whenever `errors` is not. */
  decoys?: ContainerDecoy[];
  errors: PolicyError[];
  warnings: PolicyError[];
}

/**
 * Loads every policy document in one YAML text. `file` is only used to label problems. A file
 * with any error yields no policies, so a half-understood file never watches half of what its
 * author meant; other files are unaffected.
 */
export function loadPolicyText(file: string, text: string): LoadResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const documents = Array.isArray(parsed) ? parsed : [];
  const syntax = documents.flatMap((doc) => syntaxErrors(file, doc.errors));
  // The tree of a document with syntax errors is a guess; checking it would only add noise.
  if (syntax.length > 0) return { file, policies: [], errors: syntax, warnings: [] };

  const result: LoadResult = { file, policies: [], decoys: [], errors: [], warnings: [] };
  const names = new Set<string>();
  for (const doc of documents) {
    const root = doc.contents;
    // A document holding only comments (or a stray `---`) is not a policy.
    if (root === null || (isScalar(root) && root.value === null)) continue;
    const ctx = new ReadContext(file, lineCounter, doc);
    if (isMap(root) && root.get('kind', true)?.toString() === CONTAINER_DECOY_KIND) {
      const decoy = readContainerDecoy(new Cursor(ctx, root, '', 0));
      result.errors.push(...ctx.errors);
      result.warnings.push(...ctx.warnings);
      if (decoy) result.decoys!.push(decoy);
      continue;
    }
    const spec = readPolicy(new Cursor(ctx, root, '', 0));
    result.errors.push(...ctx.errors);
    result.warnings.push(...ctx.warnings);
    if (!spec || ctx.errors.length > 0) continue;
    const key = policyKey(spec);
    if (names.has(key)) {
      result.errors.push(new PolicyError(file, spec.pos.name.line, spec.pos.name.column, 'metadata.name', `policy ${key} is defined twice in this file`));
      continue;
    }
    names.add(key);
    const compiled = compilePolicy(spec);
    result.errors.push(...compiled.errors);
    result.warnings.push(...compiled.warnings);
    if (compiled.policy) result.policies.push(compiled.policy);
  }
  if (result.errors.length > 0) {
    result.policies = [];
    result.decoys = [];
  }
  return result;
}

/** Reads and loads one file; an unreadable file is reported like any other problem. */
export async function loadPolicyFile(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { file, policies: [], errors: [new PolicyError(file, 0, 0, '', `cannot read the file (${reason})`)], warnings: [] };
  }
  return loadPolicyText(file, text);
}

/** Policies are unique by name, and by namespace for TracingPolicyNamespaced. */
export function policyKey(policy: { name: string; namespace?: string }): string {
  return policy.namespace === undefined ? policy.name : `${policy.namespace}/${policy.name}`;
}

/**
 * yaml reports a key indented too far as a multi-line implicit key spanning from the line above
 * (plus a companion error at the same start). The end of that span is the mis-indented key, so
 * that is where to point, and the companion only repeats the cause.
 */
function syntaxErrors(file: string, errors: readonly YAMLError[]): PolicyError[] {
  const start = (e: YAMLError) => `${e.pos[0]}`;
  const multiline = new Set(errors.filter((e) => e.code === 'MULTILINE_IMPLICIT_KEY').map(start));
  const out: PolicyError[] = [];
  for (const error of errors) {
    const isMultiline = error.code === 'MULTILINE_IMPLICIT_KEY';
    if (!isMultiline && multiline.has(start(error))) continue;
    const pos = (isMultiline ? error.linePos?.[1] : undefined) ?? error.linePos?.[0] ?? { line: 0, col: 0 };
    // yaml appends the position and a source excerpt; the file:line:col prefix says as much.
    const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const message = isMultiline ? `${first}: check the indentation of this line` : first;
    out.push(new PolicyError(file, pos.line, pos.col, '', `YAML syntax: ${message}`));
  }
  return out;
}
