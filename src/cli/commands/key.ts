import { Command, Option } from 'commander';
import { KEY_ROLES, type ApiKey } from '../../store/repositories/api-keys.js';
import { clientFor } from '../context.js';
import { printFields, printJson, printTable } from '../output.js';

const ROLE_HELP = 'admin: everything; viewer: read only (GET); agent: report events and heartbeats only';

/** `tripline key create|list|revoke`: API keys and their roles, through /api/v1/keys (admin key). */
export function keyCommand(): Command {
  const key = new Command('key').description(`Manage API keys (${ROLE_HELP}).`);

  key
    .command('create')
    .description('Create an API key: prints it once; only its hash is stored.')
    .addOption(new Option('--role <role>', 'what the key may do').choices(KEY_ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--json', 'print JSON')
    .action(async (options: { role: string; name: string; json?: boolean }, command: Command) => {
      const created = await clientFor(command).post<ApiKey & { key: string }>('/keys', { name: options.name, role: options.role });
      if (options.json) return printJson(created);
      printFields([
        ['id', created.id],
        ['name', created.name],
        ['role', created.role],
        ['prefix', created.prefix],
      ]);
      process.stdout.write(`\nAPI key (shown once; pass it as --key or TRIPLINE_KEY):\n  ${created.key}\n`);
    });

  key
    .command('list')
    .description('List API keys, revoked ones included (never the keys themselves).')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { items } = await clientFor(command).get<{ items: ApiKey[] }>('/keys');
      if (options.json) return printJson(items);
      printTable(items, [
        { header: 'ID', value: (k) => k.id },
        { header: 'NAME', value: (k) => k.name, max: 30 },
        { header: 'ROLE', value: (k) => k.role },
        { header: 'PREFIX', value: (k) => k.prefix },
        { header: 'CREATED', value: (k) => k.createdAt },
        { header: 'LAST USED', value: (k) => k.lastUsedAt ?? 'never' },
        { header: 'REVOKED', value: (k) => k.revokedAt ?? 'no' },
      ]);
    });

  key
    .command('revoke')
    .description('Revoke an API key: every request with it is refused from now on.')
    .argument('<id>', 'key id (see key list)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(`/keys/${encodeURIComponent(id)}`);
      process.stdout.write(`key ${id} revoked\n`);
    });

  return key;
}
