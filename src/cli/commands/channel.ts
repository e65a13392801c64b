import { readFileSync } from 'node:fs';
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
  const channel = new Command('channel').description('Manage alert channels (email, webhooks, chat, Alertmanager, syslog and SIEMs, paging).');

  channel
    .command('add')
    .description('Add a channel. Tokens name channels with --channel; --default channels take every token that names none.')
    .addOption(new Option('--kind <kind>', 'channel kind').choices(CHANNEL_KINDS).makeOptionMandatory())
    .option('--name <name>', 'a name to recognise it by')
    .option(
      '--url <url>',
      'webhook URL, service endpoint (splunk, elasticsearch, otlp; telegram and pagerduty default to the public API), or udp|tcp|tls://HOST:PORT for syslog',
    )
    .option('--secret <secret>', 'webhook: signing secret (16+ characters); generated and printed once if omitted')
    .option('--to <address>', 'email: recipient (repeatable)', collect)
    .option('--severity <word>', 'alertmanager: severity label (default critical); pagerduty: severity of alerts (critical, error, warning, info)')
    .option('--format <format>', 'syslog: message body, cef (default) or json')
    .option('--facility <name>', 'syslog: facility (default auth)')
    .option('--tls-ca <file>', 'syslog over tls://: PEM file of the CA to trust instead of the system CAs')
    .option('--token <token>', 'splunk: HEC token; otlp: bearer token (optional)')
    .option('--api-key <key>', 'elasticsearch: API key (the base64 id:key), sent as Authorization: ApiKey')
    .option('--routing-key <key>', 'pagerduty: Events API v2 integration (routing) key')
    .option('--bot-token <token>', 'telegram: bot token from @BotFather')
    .option('--chat-id <id>', 'telegram: chat to post to (numeric id or @channelname)')
    .option('--index <name>', 'splunk: index; elasticsearch: index or data stream (default logs-tripline-default)')
    .option('--sourcetype <name>', 'splunk: sourcetype (default tripline:alert)')
    .option('--default', 'use for every token that names no channels')
    .option('--agents', 'send the alerts about agents (silent, back, stopped) here instead of to the default channels')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | string[] | boolean | undefined> & { kind: string; json?: boolean }, command: Command) => {
      const fields = [
        'name',
        'url',
        'secret',
        'to',
        'severity',
        'format',
        'facility',
        'token',
        'apiKey',
        'routingKey',
        'botToken',
        'chatId',
        'index',
        'sourcetype',
      ];
      const body: Record<string, unknown> = { kind: options.kind };
      for (const field of fields) if (options[field] !== undefined) body[field] = options[field];
      if (typeof options.tlsCa === 'string') body.ca = readFileSync(options.tlsCa, 'utf8');
      if (options.default) body.default = true;
      if (options.agents) body.agents = true;
      const created = await clientFor(command).post<ChannelView & { secret?: string }>('/channels', body);
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
    });

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
