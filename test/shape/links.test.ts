import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// Every relative link in README.md and docs/*.md must reach a file, and every #anchor a heading of
// the file it points into, as GitHub renders it: moving the reference around must not leave a
// reader on a dead link.
const root = resolve(import.meta.dirname, '../..');
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks and inline code spans, line for line. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

interface Link {
  where: string;
  target: string;
}

function links(document: string): Link[] {
  const found: Link[] = [];
  prose(readFileSync(join(root, document), 'utf8')).forEach((line, index) => {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ where: `${document}:${index + 1}`, target: match[1]! });
  });
  return found;
}

function broken(document: string, { where, target }: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:: not checked offline
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(root, document) : resolve(dirname(join(root, document)), decodeURIComponent(path));
  if (!existsSync(file)) return `${where}: ${target}: no file ${relative(root, file)}`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${where}: ${target}: an anchor into something that is not a Markdown file`;
  if (!anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor))) return `${where}: ${target}: no heading #${anchor} in ${relative(root, file)}`;
  return undefined;
}

describe('documentation links', () => {
  it('README.md and docs/ exist, and README stays a short tour (under 150 lines)', () => {
    assert.ok(documents.length > 1, 'docs/ holds the reference');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length < 150, `README.md has ${readme.split('\n').length} lines`);
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^make start\b.*\nmake test\b/, 'README opens with make start and make test');
  });

  it('slugs headings as GitHub does', () => {
    const slugs = anchors('# The server\n## API keys and roles\n### `--listen` (trigger)\n## A tour\n## A tour\n```\n# not a heading\n```\n');
    assert.deepEqual([...slugs], ['the-server', 'api-keys-and-roles', '--listen-trigger', 'a-tour', 'a-tour-1']);
  });

  it('every relative link and #anchor resolves', () => {
    const all = documents.flatMap((document) => links(document).map((link) => ({ document, link })));
    assert.ok(all.length > 10, `found only ${all.length} links: the link pattern is off`);
    const dead = all.map(({ document, link }) => broken(document, link)).filter((problem) => problem !== undefined);
    assert.deepEqual(dead, []);
  });
});
