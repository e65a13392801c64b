import { Command } from 'commander';
import { clientFor, collect } from '../context.js';
import { parseLabels } from './fleet-policy.js';
import { printFields, printJson, printTable } from '../output.js';

/** An agent as GET /api/v1/agents shows it (the server's AgentView). */
interface AgentView {
  id: string;
  name: string;
  enrolledNode: string;
  node: string | null;
  version: string | null;
  lastSeen: string | null;
  online: boolean;
  policies: { file: string; ok: boolean; errors: string[] }[];
  watched: { path: string; ok: boolean }[];
  eventsAccepted: number;
}

/**
 * The admin side of agents: `tripline agent enroll|list|revoke`, thin calls to the server's
 * /api/v1/agents with an admin key. Added under `tripline agent`, whose own action runs the agent.
 */
export function agentAdminCommands(): Command[] {
  const enroll = new Command('enroll')
    .description('Enroll an agent (admin key): prints the agent key, once, for `tripline agent --agent-key`.')
    .requiredOption('--name <name>', 'a name for the agent, usually its host')
    .option('--node <node>', 'the node name the agent reports (its --node-name), fixed now: its key can report for this node only (default: --name)')
    .option('--label <k=v>', 'a label central policies can target (`policy apply --agent-label k=v`; repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (options: { name: string; node?: string; label: string[]; json?: boolean }, command: Command) => {
      const labels = parseLabels(options.label, '--label');
      const body = { name: options.name, ...(options.node === undefined ? {} : { node: options.node }), ...(options.label.length ? { labels } : {}) };
      const enrolled = await clientFor(command).post<AgentView & { key: string }>('/agents', body);
      if (options.json) return printJson(enrolled);
      printFields([
        ['id', enrolled.id],
        ['name', enrolled.name],
        ['node', enrolled.enrolledNode],
      ]);
      process.stdout.write(`\nAgent key (shown once; pass it as --agent-key or TRIPLINE_AGENT_KEY):\n  ${enrolled.key}\n`);
      process.stdout.write(
        `It reports for node ${JSON.stringify(enrolled.enrolledNode)} only: run the agent with --node-name ${JSON.stringify(enrolled.enrolledNode)}.\n`,
      );
    });

  const list = new Command('list')
    .description('List enrolled agents with their last contact and policies.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { items } = await clientFor(command).get<{ items: AgentView[] }>('/agents');
      if (options.json) return printJson(items);
      printTable(items, [
        { header: 'ID', value: (a) => a.id },
        { header: 'NAME', value: (a) => a.name, max: 30 },
        { header: 'NODE', value: (a) => a.enrolledNode, max: 30 },
        { header: 'ONLINE', value: (a) => (a.online ? 'yes' : 'no') },
        { header: 'LAST SEEN', value: (a) => a.lastSeen },
        { header: 'POLICIES', value: (a) => `${a.policies.filter((p) => p.ok).length}/${a.policies.length} ok` },
        { header: 'WATCHED', value: (a) => `${a.watched.filter((w) => w.ok).length}/${a.watched.length} ok` },
        { header: 'EVENTS', value: (a) => a.eventsAccepted },
      ]);
    });

  const revoke = new Command('revoke')
    .description('Revoke an agent: its key stops working at once.')
    .argument('<id>', 'agent id (see agent list)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(`/agents/${encodeURIComponent(id)}`);
      process.stdout.write(`agent ${id} revoked\n`);
    });

  const label = new Command('label')
    .description('Set (k=v) or remove (k-) labels of an agent; central policies targeting labels follow at once.')
    .argument('<id>', 'agent id (see agent list)')
    .argument('<labels...>', 'k=v to set, k- to remove')
    .action(async (id: string, pairs: string[], _options: unknown, command: Command) => {
      const updated = await clientFor(command).request<AgentView & { labels: Record<string, string> }>('PATCH', `/agents/${encodeURIComponent(id)}/labels`, {
        labels: parseLabels(pairs, 'label', true),
      });
      const shown = Object.entries(updated.labels).map(([k, v]) => `${k}=${v}`);
      process.stdout.write(`agent ${id} labels: ${shown.join(', ') || '(none)'}
`);
    });

  return [enroll, list, label, revoke];
}
