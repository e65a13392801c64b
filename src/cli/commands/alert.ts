import { Command, Option } from 'commander';
import type { AlertView, DeliveryView } from '../../alerts/alert-service.js';
import type { Page } from '../../store/paging.js';
import { DELIVERY_STATES } from '../../store/repositories/deliveries.js';
import { clientFor, positiveInt } from '../context.js';
import { printFields, printJson, printTable } from '../output.js';

function deliverySummary(deliveries: DeliveryView[]): string {
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'no channels';
}

function printDeliveries(deliveries: DeliveryView[]): void {
  printTable(deliveries, [
    { header: 'DELIVERY', value: (d) => d.id },
    { header: 'CHANNEL', value: (d) => `${d.channelKind} ${d.channelId}` },
    { header: 'PURPOSE', value: (d) => d.purpose },
    { header: 'STATE', value: (d) => d.state },
    { header: 'TRIES', value: (d) => d.attempts },
    { header: 'NEXT', value: (d) => d.nextAttemptAt },
    { header: 'LAST ERROR', value: (d) => d.lastError, max: 60 },
  ]);
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
  return params.size > 0 ? `?${params}` : '';
}

/** `tripline alert ...`: what was raised, where it went, and retrying what was given up. */
export function alertCommand(): Command {
  const alert = new Command('alert').description('List alerts and their deliveries; retry dead deliveries.');

  alert
    .command('list')
    .description('List alerts, newest first.')
    .option('--token <id>', "only this token's alerts")
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'print JSON')
    .action(async (options: { token?: string; limit?: number; cursor?: string; json?: boolean }, command: Command) => {
      const page = await clientFor(command).get<Page<AlertView>>(`/alerts${query({ tokenId: options.token, limit: options.limit, cursor: options.cursor })}`);
      if (options.json) return printJson(page);
      printTable(page.items, [
        { header: 'ALERT', value: (a) => a.id },
        { header: 'FIRST HIT', value: (a) => a.firstHitAt },
        { header: 'HITS', value: (a) => a.hitCount },
        { header: 'SOURCE', value: (a) => a.source, max: 40 },
        { header: 'MEMO', value: (a) => a.tokenMemo, max: 40 },
        { header: 'DELIVERIES', value: (a) => deliverySummary(a.deliveries) },
      ]);
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });

  alert
    .command('show <id>')
    .description('Show one alert and each of its deliveries.')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const shown = await clientFor(command).get<AlertView>(`/alerts/${encodeURIComponent(id)}`);
      if (options.json) return printJson(shown);
      printFields([
        ['id', shown.id],
        ['token', `${shown.tokenKind} ${shown.tokenId}`],
        ['memo', shown.tokenMemo],
        ['source', shown.source],
        ['user agent', shown.userAgent],
        ['first hit', shown.firstHitAt],
        ['last hit', shown.lastHitAt],
        ['hits', shown.hitCount],
        ['window', `${shown.windowStart} .. ${shown.windowEnd}${shown.closed ? ' (closed)' : ''}`],
      ]);
      process.stdout.write('\n');
      printDeliveries(shown.deliveries);
    });

  alert
    .command('deliveries')
    .description('List deliveries, newest first (e.g. --state dead for what needs attention).')
    .addOption(new Option('--state <state>', 'only this state').choices([...DELIVERY_STATES]))
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'print JSON')
    .action(async (options: { state?: string; limit?: number; cursor?: string; json?: boolean }, command: Command) => {
      const page = await clientFor(command).get<Page<DeliveryView>>(
        `/deliveries${query({ state: options.state, limit: options.limit, cursor: options.cursor })}`,
      );
      if (options.json) return printJson(page);
      printDeliveries(page.items);
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });

  alert
    .command('retry <delivery-id>')
    .description('Send a dead delivery again (with a fresh maximum age).')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const retried = await clientFor(command).post<DeliveryView>(`/deliveries/${encodeURIComponent(id)}/retry`);
      if (options.json) printJson(retried);
      else process.stdout.write(`delivery ${retried.id} is ${retried.state} again\n`);
    });

  return alert;
}
