import { Command, Option } from 'commander';
import type { ChannelView } from '../../alerts/channel-service.js';
import { TOKEN_SEVERITIES } from '../../core/model/token.js';
import { clientFor, collect } from '../context.js';
import { printJson } from '../output.js';

/** `tripline channel filter ID`: which alerts a channel takes. */
export function channelFilterCommand(): Command {
  return new Command('filter')
    .argument('<id>', 'channel id')
    .description('Set which alerts the channel takes (replaces its filters; none given: it takes every alert of its tokens).')
    .addOption(new Option('--min-severity <severity>', 'only tokens of at least this severity').choices(TOKEN_SEVERITIES))
    .option('--tag <tag>', 'only tokens with one of these tags (repeatable)', collect)
    .option('--token-kind <kind>', 'only tokens of these kinds (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (id: string, options: { minSeverity?: string; tag?: string[]; tokenKind?: string[]; json?: boolean }, command: Command) => {
      const updated = await clientFor(command).request<ChannelView>('PUT', `/channels/${encodeURIComponent(id)}/filters`, {
        ...(options.minSeverity ? { minSeverity: options.minSeverity } : {}),
        ...(options.tag ? { tags: options.tag } : {}),
        ...(options.tokenKind ? { kinds: options.tokenKind } : {}),
      });
      if (options.json) return printJson(updated);
      const f = updated.filters;
      const parts = [f.minSeverity && `severity >= ${f.minSeverity}`, f.tags && `tags ${f.tags.join(',')}`, f.kinds && `kinds ${f.kinds.join(',')}`].filter(
        Boolean,
      );
      process.stdout.write(`channel ${updated.id} takes ${parts.length > 0 ? parts.join('; ') : 'every alert'}\n`);
    });
}
