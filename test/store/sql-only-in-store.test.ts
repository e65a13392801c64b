import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const STORE = join(SRC, 'store');
/** A query layer or driver imported, or a query built: each belongs in src/store. */
const DATABASE_CODE = /from '(kysely|kysely\/[^']*|pg|better-sqlite3)'|\bsql`|\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bLISTEN\b|pg_notify/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === STORE ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('every SQL statement, driver and dialect branch lives under src/store', () => {
  const outside = sources(SRC).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, at: `${relative(SRC, file)}:${i + 1}` }))
      // Comments may name what the store does (a dispatcher woken by NOTIFY); code may not do it.
      .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && DATABASE_CODE.test(line))
      .map(({ line, at }) => `${at}: ${line.trim()}`),
  );
  assert.deepEqual(outside, []);
});
