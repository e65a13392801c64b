import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { clientFor, collect } from '../context.js';
import { printJson, printTable, safeText } from '../output.js';

/** A policy as GET /api/v1/policies shows it. */
interface PolicyView {
  name: string;
  version: number;
  updatedAt: string;
  target: { agents: string[]; labels: Record<string, string> };
  agents: { agent: string; node: string; state: string; errors: string[] }[];
}

/** "k=v" pairs from repeated flags; `removable` lets "k-" remove a label. */
export function parseLabels(pairs: string[], flag: string, removable = false): Record<string, string | null> {
  const labels: Record<string, string | null> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    else if (removable && pair.endsWith('-') && pair.length > 1) labels[pair.slice(0, -1)] = null;
    else throw new ConfigError(`${flag} "${pair}" is not KEY=VALUE${removable ? ' (or KEY- to remove it)' : ''}`);
  }
  return labels;
}

function targetText(target: PolicyView['target']): string {
  const parts = [...target.agents.map((a) => `agent=${a}`), ...Object.entries(target.labels).map(([k, v]) => `${k}=${v}`)];
  return parts.length === 0 ? 'all agents' : parts.join(',');
}

/** `tripline policy apply|list|delete`: central policies, handed by the server to the agents they target. */
export function fleetPolicyCommands(): Command[] {
  const apply = new Command('apply')
    .description('Store TracingPolicy files on the server; the agents they target fetch them and apply them without a restart.')
    .requiredOption('-f, --file <file>', 'policy file (repeatable; several documents per file allowed)', collect, [])
    .option('--agent <name>', 'only the agent with this name (repeatable)', collect, [])
    .option('--agent-label <k=v>', 'only agents with this label (repeatable: all must match)', collect, [])
    .option('--json', 'print JSON')
    .action(async (options: { file: string[]; agent: string[]; agentLabel: string[]; json?: boolean }, command: Command) => {
      const labels = parseLabels(options.agentLabel, '--agent-label') as Record<string, string>;
      const client = clientFor(command);
      const results = [];
      for (const file of options.file) {
        const document = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new ConfigError(`cannot read ${file}: ${err.code ?? err.message}`);
        });
        const applied = await client.post<{ version: number; applied: string[] }>('/policies', { file, document, agents: options.agent, labels });
        results.push({ file, ...applied });
      }
      if (options.json) return printJson(results);
      for (const r of results) process.stdout.write(`${safeText(r.file)}: applied ${r.applied.map(safeText).join(', ')} (version ${r.version})\n`);
    });

  const list = new Command('list')
    .description('List central policies, their targets and what each agent reports for them.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { items } = await clientFor(command).get<{ items: PolicyView[] }>('/policies');
      if (options.json) return printJson(items);
      printTable(items, [
        { header: 'NAME', value: (p) => p.name, max: 40 },
        { header: 'TARGET', value: (p) => targetText(p.target), max: 40 },
        { header: 'VERSION', value: (p) => p.version },
        { header: 'AGENTS', value: (p) => p.agents.map((a) => `${a.agent}:${a.state}`).join(' ') || '-', max: 60 },
      ]);
      for (const p of items) for (const a of p.agents) for (const e of a.errors) process.stdout.write(`${safeText(a.agent)}: ${safeText(e)}\n`);
    });

  const del = new Command('delete')
    .description('Delete a central policy; agents drop it at once.')
    .argument('<name>', 'policy name (see policy list)')
    .action(async (name: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(`/policies/${encodeURIComponent(name)}`);
      process.stdout.write(`policy ${safeText(name)} deleted\n`);
    });

  return [apply, list, del];
}
