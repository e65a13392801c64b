import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// The layer order of src/, top to bottom: a module may import its own layer or any layer below,
// never one above. Modules of one layer do not import each other's directories either, except
// where ALLOWED_SIDEWAYS says so (see docs/architecture.md, "Layers").
const LAYERS: Record<string, number> = {
  cli: 4,
  server: 3,
  agent: 3,
  alerts: 2,
  tokens: 2,
  policy: 2,
  store: 1,
  core: 0,
};
// A file token's artifact is the agent policy that watches its decoy, written by policy/generate.ts:
// tokens use policy's language; policy knows nothing of tokens.
const ALLOWED_SIDEWAYS = new Set<string>(['tokens->policy', 'alerts->tokens']);

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier in a file (static imports, re-exports, dynamic import()) with its line. */
function imports(file: string): { specifier: string; line: number }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node) =>
    found.push({ specifier: (node as ts.StringLiteral).text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      add(node.moduleSpecifier);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The top directory under src/ a path belongs to, or undefined outside src/. */
function layerOf(src: string, path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0];
}

function violations(root: string): string[] {
  const src = join(root, 'src');
  const found: string[] = [];
  for (const file of sources(src)) {
    const from = layerOf(src, file);
    if (from === undefined) continue;
    if (!(from in LAYERS)) {
      found.push(`${relative(root, file)}: directory src/${from} has no place in the layer order`);
      continue;
    }
    for (const { specifier, line } of imports(file)) {
      if (!specifier.startsWith('.')) continue;
      const to = layerOf(src, resolve(dirname(file), specifier));
      const where = `${relative(root, file)}:${line}`;
      if (to === undefined) {
        found.push(`${where}: imports ${specifier}, outside src/`);
        continue;
      }
      if (to === from) continue;
      const rankFrom = LAYERS[from] as number;
      const rankTo = LAYERS[to];
      if (rankTo === undefined) found.push(`${where}: imports ${specifier}; src/${to} has no place in the layer order`);
      else if (rankTo > rankFrom) found.push(`${where}: ${from} imports ${to} (${specifier}), a layer above it`);
      else if (rankTo === rankFrom && !ALLOWED_SIDEWAYS.has(`${from}->${to}`))
        found.push(`${where}: ${from} imports ${to} (${specifier}), a sibling in the same layer`);
    }
  }
  return found;
}

describe('layer order: cli → server/agent → alerts/tokens/policy → store → core', () => {
  it('every directory under src/ has a layer', () => {
    const dirs = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(
      dirs.filter((d) => !(d in LAYERS)),
      [],
    );
  });

  it('finds an upward, a sideways and a dynamic import, each with its file and line', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'tripline-layers-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(fixture, path)), { recursive: true });
        writeFileSync(join(fixture, path), text);
      };
      write('src/core/ids.ts', "import { x } from './errors.js';\nimport type { Db } from '../store/schema.js';\n");
      write('src/policy/decide.ts', "import { kind } from '../tokens/kind.js';\nexport { a } from '../store/a.js';\n");
      write('src/store/a.ts', "\n\nconst m = await import('../server/app.js');\n");
      assert.deepEqual(violations(fixture).sort(), [
        'src/core/ids.ts:2: core imports store (../store/schema.js), a layer above it',
        'src/policy/decide.ts:1: policy imports tokens (../tokens/kind.js), a sibling in the same layer',
        'src/store/a.ts:3: store imports server (../server/app.js), a layer above it',
      ]);
    } finally {
      rmSync(fixture, { recursive: true, force: true });
    }
  });

  it('no import in src/ points up or sideways', () => {
    const found = violations(root);
    assert.equal(found.length, 0, `${found.length} import(s) against the layer order:\n${found.join('\n')}`);
  });

  it('core imports nothing of ours outside core', () => {
    const outside = sources(join(src, 'core')).flatMap((file) =>
      imports(file)
        .filter(({ specifier }) => specifier.startsWith('.') && layerOf(src, resolve(dirname(file), specifier)) !== 'core')
        .map(({ specifier, line }) => `${relative(root, file)}:${line}: ${specifier}`),
    );
    assert.deepEqual(outside, []);
  });
});
