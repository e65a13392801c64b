import { Command, Option } from 'commander';
import type { ChannelTestResult, ChannelView } from '../../alerts/channel-service.js';
import { CHANNEL_KINDS } from '../../alerts/channels/registry.js';
import { clientFor, collect } from '../context.js';
import { channelFilterCommand } from './channel-filter.js';
import { printFields, printJson, printTable } from '../output.js';

function settingsText(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
}

/** `tripline channel ...`: where alerts go. */
export function channelCommand(): Command {
  const channel = new Command('channel').description('Manage alert channels (email, webhooks, chat, Alertmanager).');

  channel
    .command('add')
    .description('Add a channel. Tokens name channels with --channel; --default channels take every token that names none.')
    .addOption(new Option('--kind <kind>', 'channel kind').choices(CHANNEL_KINDS).makeOptionMandatory())
    .option('--name <name>', 'a name to recognise it by')
    .option('--url <url>', 'webhook URL (webhook, slack, teams, discord, googlechat) or Alertmanager base URL')
    .option('--secret <secret>', 'webhook: signing secret (16+ characters); generated and printed once if omitted')
    .option('--to <address>', 'email: recipient (repeatable)', collect)
    .option('--severity <word>', 'alertmanager: severity label (default critical)')
    .option('--default', 'use for every token that names no channels')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { kind: string; name?: string; url?: string; secret?: string; to?: string[]; severity?: string; default?: boolean; json?: boolean },
        command: Command,
      ) => {
        const created = await clientFor(command).post<ChannelView & { secret?: string }>('/channels', {
          kind: options.kind,
          ...(options.name ? { name: options.name } : {}),
          ...(options.url ? { url: options.url } : {}),
          ...(options.secret ? { secret: options.secret } : {}),
          ...(options.to ? { to: options.to } : {}),
          ...(options.severity ? { severity: options.severity } : {}),
          ...(options.default ? { default: true } : {}),
        });
        if (options.json) return printJson(created);
        printFields([
          ['id', created.id],
          ['name', created.name],
          ['kind', created.kind],
          ['default', created.isDefault ? 'yes' : 'no'],
          ['settings', settingsText(created.settings)],
        ]);
        if (created.secret) {
          process.stdout.write(`\nSigning secret (shown once; receivers verify X-Tripline-Signature with it):\n  ${created.secret}\n`);
        }
      },
    );

  channel.addCommand(channelFilterCommand());

  channel
    .command('list')
    .description('List channels (URLs and secrets are shown redacted).')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { items } = await clientFor(command).get<{ items: ChannelView[] }>('/channels');
      if (options.json) return printJson(items);
      printTable(items, [
        { header: 'ID', value: (c) => c.id },
        { header: 'KIND', value: (c) => c.kind },
        { header: 'DEFAULT', value: (c) => (c.isDefault ? 'yes' : 'no') },
        { header: 'NAME', value: (c) => c.name, max: 30 },
        { header: 'SETTINGS', value: (c) => settingsText(c.settings), max: 60 },
      ]);
    });

  channel
    .command('test <id>')
    .description('Send a test alert to the channel now and report what the receiver said.')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const result = await clientFor(command).post<ChannelTestResult>(`/channels/${encodeURIComponent(id)}/test`);
      if (options.json) printJson(result);
      else if (result.ok) process.stdout.write(`delivered (${result.status ?? 'ok'}, ${result.durationMs} ms)\n`);
      else process.stdout.write(`not delivered: ${result.error}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  channel
    .command('delete <id>')
    .description("Delete a channel; its unsent deliveries are marked dead (they stay in the alert's history).")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await clientFor(command).delete(`/channels/${encodeURIComponent(id)}`);
      if (options.json) printJson({ id, deleted: true });
      else process.stdout.write(`channel ${id} deleted\n`);
    });

  return channel;
}
