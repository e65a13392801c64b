import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ValidationError } from '../../core/errors.js';
import type { HitView } from '../../core/model/hit.js';
import { DEFAULT_TOKEN_SEVERITY, TOKEN_SEVERITIES } from '../../core/model/token.js';
import type { Page } from '../../store/paging.js';
import type { TokenView } from '../../tokens/service.js';
import { printArtifactFiles, writeArtifactFiles } from '../artifact-files.js';
import { clientFor, collect, positiveInt } from '../context.js';
import { printFields, printJson, printTable } from '../output.js';

function showToken(token: TokenView): void {
  printFields([
    ['id', token.id],
    ['kind', token.kind],
    ['memo', token.memo],
    ['enabled', token.enabled ? 'yes' : 'no'],
    ...(token.url ? ([['url', token.url]] as [string, unknown][]) : []),
    ...(token.hostname ? ([['hostname', token.hostname]] as [string, unknown][]) : []),
    ...(token.artifact.address ? ([['address', token.artifact.address]] as [string, unknown][]) : []),
    ...(token.redirect ? ([['redirect', token.redirect]] as [string, unknown][]) : []),
    ['severity', token.severity],
    ['tags', token.tags.join(', ') || null],
    ['hits', token.hitsKept < token.hitCount ? `${token.hitCount} (${token.hitsKept} kept in full)` : token.hitCount],
    ['last hit', token.lastHitAt],
    ['created', token.createdAt],
  ]);
  if (token.artifact.usage) process.stdout.write(`\n${token.artifact.usage}\n`);
}

/** --option key=value pairs as the API's kind-specific options object. */
function kindOptions(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new ValidationError(`--option "${pair}" is not key=value`);
    out[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return out;
}

/** --option-file key=path pairs: each file's bytes in base64 (a template document, an image). */
function kindFileOptions(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, path] of Object.entries(kindOptions(pairs))) {
    try {
      out[key] = readFileSync(path).toString('base64');
    } catch (error) {
      throw new ValidationError(`--option-file ${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return out;
}

/** `tripline token ...`: create and manage canary tokens through the server's API. */
export function tokenCommand(): Command {
  const token = new Command('token').description('Create and manage canary tokens.');

  token
    .command('create')
    .description('Create a token and print its artifact (URL, hostname or file).')
    .requiredOption('--kind <kind>', 'token kind, e.g. http')
    .requiredOption('--memo <text>', 'what the token is for; shown in every alert')
    .option('--redirect <url>', 'http token: answer with a 302 to this URL instead of the GIF')
    .option('--channel <id>', 'alert channel for this token (repeatable); default channels apply if none', collect)
    .option('--alert-window <seconds>', 'seconds that repeated hits fold into one alert', positiveInt)
    .addOption(
      new Option('--severity <severity>', `how much a hit matters; channels may ask for a minimum (default ${DEFAULT_TOKEN_SEVERITY})`).choices(
        TOKEN_SEVERITIES,
      ),
    )
    .option('--tag <tag>', 'a label for channel filters and the Activity view (repeatable)', collect)
    .option(
      '--out <path>',
      "write the token's artifact file here, or into this directory under its own name (credential, decoy and document kinds: the key, file, document, image, snippet, dump or string); extra files (AWS config, SSH config, the QR code's SVG) go next to it",
    )
    .option('--option <key=value>', 'kind-specific option, e.g. profile=prod-admin or username=deploy (repeatable)', collect)
    .option('--option-file <key=path>', 'kind-specific option read from a file, e.g. template=report.docx or image=logo.png (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          kind: string;
          memo: string;
          redirect?: string;
          channel?: string[];
          alertWindow?: number;
          out?: string;
          option?: string[];
          optionFile?: string[];
          severity?: string;
          tag?: string[];
          json?: boolean;
        },
        command: Command,
      ) => {
        const created = await clientFor(command).post<TokenView>('/tokens', {
          kind: options.kind,
          memo: options.memo,
          ...(options.redirect ? { redirect: options.redirect } : {}),
          ...(options.channel ? { channels: options.channel } : {}),
          ...(options.alertWindow ? { alertWindowSeconds: options.alertWindow } : {}),
          ...(options.severity ? { severity: options.severity } : {}),
          ...(options.tag ? { tags: options.tag } : {}),
          ...(options.option || options.optionFile ? { options: { ...kindOptions(options.option ?? []), ...kindFileOptions(options.optionFile ?? []) } } : {}),
        });
        const written = options.out ? writeArtifactFiles(created.artifact, options.out) : [];
        if (options.json) return printJson(created);
        showToken(created);
        printArtifactFiles(created.artifact, written);
      },
    );

  token
    .command('list')
    .description('List tokens, newest first.')
    .option('--kind <kind>', 'only this kind')
    .option('--search <text>', 'only tokens whose memo or id contains this')
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'print JSON')
    .action(async (options: { kind?: string; search?: string; limit?: number; cursor?: string; json?: boolean }, command: Command) => {
      const query = new URLSearchParams();
      if (options.kind) query.set('kind', options.kind);
      if (options.search) query.set('q', options.search);
      if (options.limit) query.set('limit', String(options.limit));
      if (options.cursor) query.set('cursor', options.cursor);
      const page = await clientFor(command).get<Page<TokenView>>(`/tokens?${query}`);
      if (options.json) return printJson(page);
      printTable(page.items, [
        { header: 'ID', value: (t) => t.id },
        { header: 'KIND', value: (t) => t.kind },
        { header: 'ON', value: (t) => (t.enabled ? 'yes' : 'no') },
        { header: 'HITS', value: (t) => t.hitCount },
        { header: 'LAST HIT', value: (t) => t.lastHitAt },
        { header: 'MEMO', value: (t) => t.memo, max: 50 },
      ]);
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });

  token
    .command('show <id>')
    .description('Show one token and its artifact.')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const shown = await clientFor(command).get<TokenView>(`/tokens/${encodeURIComponent(id)}`);
      if (options.json) printJson(shown);
      else showToken(shown);
    });

  token
    .command('hits <id>')
    .description("List a token's hits, newest first.")
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { limit?: number; cursor?: string; json?: boolean }, command: Command) => {
      const query = new URLSearchParams();
      if (options.limit) query.set('limit', String(options.limit));
      if (options.cursor) query.set('cursor', options.cursor);
      const page = await clientFor(command).get<Page<HitView> & { hitCount: number; hitsKept: number }>(`/tokens/${encodeURIComponent(id)}/hits?${query}`);
      if (options.json) return printJson(page);
      if (page.hitsKept < page.hitCount) process.stdout.write(`${page.hitCount} hits, ${page.hitsKept} kept in full\n`);
      printTable(page.items, [
        { header: 'TIME', value: (h) => h.at },
        { header: 'SOURCE', value: (h) => h.source },
        { header: 'USER AGENT', value: (h) => h.userAgent, max: 40 },
        { header: 'WHAT', value: (h) => h.summary, max: 70 },
      ]);
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    token
      .command(`${name} <id>`)
      .description(enabled ? 'Turn a token back on.' : 'Stop a token from recording hits (its URL keeps answering the same way).')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { json?: boolean }, command: Command) => {
        const updated = await clientFor(command).patch<TokenView>(`/tokens/${encodeURIComponent(id)}`, { enabled });
        if (options.json) printJson(updated);
        else process.stdout.write(`token ${updated.id} ${enabled ? 'enabled' : 'disabled'}\n`);
      });
  }

  token
    .command('set <id>')
    .description("Change a token's severity or tags.")
    .addOption(new Option('--severity <severity>', 'how much a hit matters').choices(TOKEN_SEVERITIES))
    .option('--tag <tag>', 'replace its tags with these (repeatable)', collect)
    .option('--no-tags', 'remove every tag')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { severity?: string; tag?: string[]; tags?: boolean; json?: boolean }, command: Command) => {
      const tags = options.tags === false ? [] : options.tag;
      const updated = await clientFor(command).patch<TokenView>(`/tokens/${encodeURIComponent(id)}`, {
        ...(options.severity ? { severity: options.severity } : {}),
        ...(tags ? { tags } : {}),
      });
      if (options.json) printJson(updated);
      else showToken(updated);
    });

  token
    .command('delete <id>')
    .description('Delete a token and its hit history.')
    .addOption(new Option('--json', 'print JSON'))
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await clientFor(command).delete(`/tokens/${encodeURIComponent(id)}`);
      if (options.json) printJson({ id, deleted: true });
      else process.stdout.write(`token ${id} deleted\n`);
    });

  return token;
}
