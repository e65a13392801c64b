import { Command, Option } from 'commander';
import type { HitExplanation } from '../../alerts/explain.js';
import type { HitView } from '../../core/model/hit.js';
import type { Page } from '../../store/paging.js';
import type { ApiClient } from '../client.js';
import { clientFor, positiveInt } from '../context.js';
import { printFields, printJson, printTable, safeText } from '../output.js';

interface HitsOptions {
  kind?: string;
  token?: string;
  tag?: string;
  source?: string;
  country?: string;
  muted?: boolean;
  limit?: number;
  cursor?: string;
  follow?: boolean;
  json?: boolean;
}

function hitsQuery(options: HitsOptions): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of ['kind', 'token', 'tag', 'source', 'country', 'cursor'] as const) {
    const value = options[key];
    if (value) query.set(key, value);
  }
  if (options.muted !== undefined) query.set('muted', String(options.muted));
  if (options.limit) query.set('limit', String(options.limit));
  return query;
}

function where(hit: HitView): string {
  const e = hit.enrichment;
  if (!e) return '';
  return [e.country, e.city, e.asn === undefined ? undefined : `AS${e.asn}`].filter(Boolean).join(' ');
}

const COLUMNS = [
  { header: 'TIME', value: (h: HitView) => h.at },
  { header: 'ID', value: (h: HitView) => h.id },
  { header: 'TOKEN', value: (h: HitView) => h.tokenId },
  { header: 'KIND', value: (h: HitView) => h.kind },
  { header: 'SOURCE', value: (h: HitView) => h.source },
  { header: 'WHERE', value: where, max: 30 },
  { header: 'MUTED', value: (h: HitView) => (h.mutedBy ? `${h.mutedBy.kind} ${h.mutedBy.matched ?? h.mutedBy.pattern}`.trim() : ''), max: 30 },
  { header: 'WHAT', value: (h: HitView) => h.summary, max: 60 },
];

/** Prints hits as they are recorded, oldest first, until interrupted: each committed hit wakes a
 * refetch of the filtered first page, so every filter the API has applies here too. */
async function follow(client: ApiClient, options: HitsOptions): Promise<void> {
  const seen = new Set<string>();
  const print = async (first: boolean) => {
    const page = await client.get<Page<HitView>>(`/hits?${hitsQuery({ ...options, cursor: undefined })}`);
    const fresh = page.items.filter((hit) => !seen.has(hit.id)).reverse();
    for (const hit of fresh) seen.add(hit.id);
    if (options.json) for (const hit of fresh) process.stdout.write(`${JSON.stringify(hit)}\n`);
    else if (fresh.length > 0 || first) printTable(fresh, first ? COLUMNS : COLUMNS.map((c) => ({ ...c, header: '' })));
  };
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  const events = await client.events(stop.signal);
  await print(true);
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of events.body) {
      buffered += decoder.decode(chunk, { stream: true });
      const frames = buffered.split('\n\n');
      buffered = frames.pop() ?? '';
      if (frames.some((frame) => frame.startsWith('event: hit'))) await print(false);
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    // Also keeps the Response referenced until the end (see ApiClient.events).
    await events.body.cancel().catch(() => undefined);
  }
}

/** `tripline hits`: every token's hits, newest first (the dashboard's Activity view). */
export function hitsCommand(): Command {
  return new Command('hits')
    .description("Every token's hits, newest first; --follow prints new ones as they come.")
    .option('--kind <kind>', 'only hits of this token kind')
    .option('--token <id>', 'only hits of this token')
    .option('--tag <tag>', 'only hits of tokens with this tag')
    .option('--source <address>', 'only hits from this source')
    .option('--country <code>', 'only hits whose source is in this country (ISO code, needs --geoip-db on the server)')
    .addOption(new Option('--muted', 'only hits a noise rule muted').conflicts('unmuted'))
    .addOption(new Option('--unmuted', 'only hits no noise rule muted').conflicts('muted'))
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--follow', 'keep printing hits as they are recorded, until interrupted')
    .option('--json', 'print JSON (one hit a line with --follow)')
    .action(async (raw: HitsOptions & { unmuted?: boolean }, command: Command) => {
      const options: HitsOptions = { ...raw, muted: raw.muted ? true : raw.unmuted ? false : undefined };
      const client = clientFor(command);
      if (options.follow) return follow(client, options);
      const page = await client.get<Page<HitView>>(`/hits?${hitsQuery(options)}`);
      if (options.json) return printJson(page);
      printTable(page.items, COLUMNS);
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });
}

/** `tripline hit ...`: one hit. */
export function hitCommand(): Command {
  const hit = new Command('hit').description('Look at one hit.');
  hit
    .command('explain <id>')
    .description('Say why a hit did or did not alert: the noise rule that muted it, the alert it opened or joined, each channel and its filters.')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const explained = await clientFor(command).get<HitExplanation>(`/hits/${encodeURIComponent(id)}/explain`);
      if (options.json) return printJson(explained);
      printFields([
        ['hit', explained.hitId],
        ['token', explained.tokenId],
        ['alerted', explained.alerted ? 'yes' : 'no'],
        ['muted by', explained.mutedBy ? `${explained.mutedBy.scope} ${explained.mutedBy.kind} rule ${explained.mutedBy.ruleId}` : null],
        ['alert', explained.alert?.id ?? null],
      ]);
      process.stdout.write('\n');
      for (const reason of explained.reasons) process.stdout.write(`- ${safeText(reason)}\n`);
    });
  hit
    .command('show <id>')
    .description('Show one hit with its enrichment and the rule that muted it, if any.')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const shown = await clientFor(command).get<HitView>(`/hits/${encodeURIComponent(id)}`);
      if (options.json) return printJson(shown);
      printFields([
        ['id', shown.id],
        ['token', shown.tokenId],
        ['time', shown.at],
        ['source', shown.source],
        ['where', where(shown) || null],
        ['host name', shown.enrichment?.hostname ?? null],
        ['muted by', shown.mutedBy ? `${shown.mutedBy.kind} ${shown.mutedBy.matched ?? shown.mutedBy.pattern} (rule ${shown.mutedBy.ruleId})` : null],
        ['what', shown.summary],
        ...shown.facts.map((fact): [string, unknown] => [fact.label.toLowerCase(), fact.value]),
      ]);
    });
  return hit;
}
