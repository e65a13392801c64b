import { Command, Option } from 'commander';
import type { KnownScanner } from '../../alerts/noise/known-scanners.js';
import { noiseRuleKindSchema, type NoiseRule } from '../../core/model/noise.js';
import { clientFor } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `tripline noise ...`: rules that mute hits (stored, counted, shown muted, no alert). */
export function noiseCommand(): Command {
  const noise = new Command('noise').description('Noise rules: matching hits are stored, counted and shown muted, and raise no alert.');

  noise
    .command('add')
    .description('Add a rule, for every token or (--token) one token.')
    .addOption(new Option('--kind <kind>', 'what the rule matches').choices(noiseRuleKindSchema.options).makeOptionMandatory())
    .option('--pattern <text>', 'cidr/resolver: address or CIDR; user-agent: text, * for any; asn: AS64500 (known-scanners takes none)')
    .option('--note <text>', 'why: shown with every hit it mutes')
    .option('--token <id>', 'only this token')
    .option('--json', 'print JSON')
    .action(async (options: { kind: string; pattern?: string; note?: string; token?: string; json?: boolean }, command: Command) => {
      const rule = await clientFor(command).post<NoiseRule>('/noise-rules', {
        kind: options.kind,
        ...(options.pattern !== undefined ? { pattern: options.pattern } : {}),
        ...(options.note ? { note: options.note } : {}),
        ...(options.token ? { tokenId: options.token } : {}),
      });
      if (options.json) return printJson(rule);
      process.stdout.write(
        `noise rule ${rule.id} added (${rule.kind}${rule.pattern ? ` ${rule.pattern}` : ''}, ${rule.tokenId ? `token ${rule.tokenId}` : 'every token'})\n`,
      );
    });

  noise
    .command('list')
    .description('List the rules, oldest first.')
    .option('--token <id>', "only this token's own rules")
    .option('--scanners', 'list the known link scanners and unfurlers instead')
    .option('--json', 'print JSON')
    .action(async (options: { token?: string; scanners?: boolean; json?: boolean }, command: Command) => {
      const listing = await clientFor(command).get<{ items: NoiseRule[]; knownScanners: KnownScanner[] }>(
        `/noise-rules${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`,
      );
      if (options.json) return printJson(listing);
      if (options.scanners) {
        printTable(listing.knownScanners, [
          { header: 'SERVICE', value: (s) => s.name },
          { header: 'USER AGENT CONTAINS', value: (s) => s.userAgents.join(', ') },
        ]);
        return;
      }
      printTable(listing.items, [
        { header: 'ID', value: (r) => r.id },
        { header: 'SCOPE', value: (r) => r.tokenId ?? 'global' },
        { header: 'KIND', value: (r) => r.kind },
        { header: 'PATTERN', value: (r) => r.pattern, max: 40 },
        { header: 'NOTE', value: (r) => r.note, max: 50 },
      ]);
    });

  noise
    .command('delete <id>')
    .description('Delete a rule: hits it muted stay muted (they keep the rule they matched).')
    .action(async (id: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(`/noise-rules/${encodeURIComponent(id)}`);
      process.stdout.write(`noise rule ${id} deleted\n`);
    });

  return noise;
}
