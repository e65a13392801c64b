import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { defaultCriSocket } from '../../agent/containers/cri-client.js';
import { Agent } from '../../agent/daemon.js';
import { LogDestination } from '../../agent/output/log-destination.js';
import { ConfigError } from '../../core/errors.js';
import { parseDuration } from '../../core/time.js';
import type { GlobalOptions } from '../context.js';
import { positiveInt } from '../context.js';
import { agentAdminCommands } from './agent-admin.js';

export const SPOOL_DIR = '/var/lib/tripline/spool';
/** Where the agent keeps the last set of central policies it fetched. */
export const STATE_DIR = '/var/lib/tripline';

interface AgentFlags {
  policyDir?: string;
  agentKey?: string;
  export?: string;
  exportMaxSize: number;
  exportKeep: number;
  nodeName: string;
  spoolDir: string;
  stateDir: string;
  heartbeatInterval: number;
  rescanInterval: number;
  logLevel: string;
  criSocket?: string;
}

export function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new ConfigError(`"${value}" is not a duration such as 15s, 2m or 500ms`);
  return ms;
}

/** "10M", "512K", "1G" or a number of bytes. */
function size(value: string): number {
  const match = /^\s*(\d+)\s*([kmg]i?b?)?\s*$/i.exec(value);
  if (!match) throw new ConfigError(`"${value}" is not a size such as 10M or 512K`);
  const unit = (match[2] ?? '').charAt(0).toLowerCase();
  return Number(match[1]) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit] ?? 1);
}

async function runAgent(flags: AgentFlags, command: Command): Promise<void> {
  if (!flags.policyDir) throw new ConfigError('--policy-dir is required: the directory of TracingPolicy YAML files to enforce');
  // --server is the program-wide option (also TRIPLINE_URL), shared with the client commands.
  const { server } = command.optsWithGlobals<GlobalOptions>();
  if (server && !flags.agentKey)
    throw new ConfigError('--server needs --agent-key (or TRIPLINE_AGENT_KEY): enroll the agent with `tripline agent enroll --name NAME`');
  // A key with nowhere to send it would leave the operator believing hits are reported.
  if (flags.agentKey && !server) throw new ConfigError('--agent-key needs --server (or TRIPLINE_URL): the Tripline server to report to');
  // Handed to the output thread while it runs (agent/output/log-destination.ts): stderr has one
  // writer, and a slow stderr reader never holds a verdict.
  const logDestination = new LogDestination();
  const log = pino({ level: flags.logLevel, base: { node: flags.nodeName } }, logDestination);
  const agent = await Agent.start({
    policyDir: resolve(flags.policyDir),
    nodeName: flags.nodeName,
    log,
    logDestination,
    rescanMs: flags.rescanInterval,
    criSocket: flags.criSocket === 'none' ? null : (flags.criSocket ?? defaultCriSocket()),
    ...(server && flags.agentKey
      ? {
          server: {
            url: server,
            key: flags.agentKey,
            spoolDir: resolve(flags.spoolDir),
            heartbeatMs: flags.heartbeatInterval,
            stateDir: resolve(flags.stateDir),
          },
        }
      : {}),
    ...(flags.export ? { export: { target: flags.export === '-' ? '-' : resolve(flags.export), maxBytes: flags.exportMaxSize, keep: flags.exportKeep } } : {}),
  });
  const stop = (why: string, code: number) => {
    log.info({ why }, 'agent stopping');
    agent.stop(code === 0).then(
      () => process.exit(code),
      (err: unknown) => {
        log.error({ err }, 'agent shutdown failed');
        process.exit(1);
      },
    );
  };
  agent.on('fatal', (err) => {
    log.fatal({ err }, `${err.message}; exiting so the service manager restarts the agent`);
    stop('sensor failure', 1);
  });
  process.once('SIGINT', () => stop('SIGINT', 0));
  process.once('SIGTERM', () => stop('SIGTERM', 0));
}

/**
 * `tripline agent --policy-dir DIR ...` runs the host agent (as root). The admin subcommands
 * (`tripline agent enroll`, list, revoke) sit under it; the agent's own action runs when no
 * subcommand is named.
 */
export function agentCommand(): Command {
  const agent = new Command('agent')
    .description(
      'Run the host agent (root): watch the files named by the TracingPolicy files in --policy-dir, enforce their actions, export and report every match. With --server (global option or TRIPLINE_URL) and --agent-key, matches of policies labelled tripline/token are reported to the server as hits.',
    )
    .option('--policy-dir <dir>', 'directory of TracingPolicy YAML files (*.yaml, *.yml); changes apply without a restart')
    .addOption(new Option('--agent-key <key>', 'the key `tripline agent enroll` printed').env('TRIPLINE_AGENT_KEY'))
    .option('--export <file>', 'write Tetragon-style JSON lines (process_kprobe) to this file, or "-" for stdout')
    .addOption(new Option('--export-max-size <size>', 'rotate the export file at this size (e.g. 10M)').default(10 * 1024 ** 2, '10M').argParser(size))
    .addOption(new Option('--export-keep <n>', 'rotated export files to keep').default(5).argParser(positiveInt))
    .addOption(new Option('--node-name <name>', 'name of this host in events and on the server').env('TRIPLINE_NODE_NAME').default(hostname()))
    .addOption(new Option('--spool-dir <dir>', 'events wait here until the server has them').env('TRIPLINE_SPOOL_DIR').default(SPOOL_DIR))
    .addOption(
      new Option('--state-dir <dir>', 'where the last set of central policies (`tripline policy apply`) is kept, enforced while the server is unreachable')
        .env('TRIPLINE_STATE_DIR')
        .default(STATE_DIR),
    )
    .addOption(new Option('--heartbeat-interval <duration>', 'how often to tell the server the agent is alive').default(15_000, '15s').argParser(duration))
    .addOption(
      new Option('--rescan-interval <duration>', 'how often to look at the policy directory and the watched paths again (besides change notifications)')
        .default(10_000, '10s')
        .argParser(duration),
    )
    .addOption(
      new Option(
        '--cri-socket <path>',
        "the container runtime's CRI socket, to name the pod and container behind each access (default: the first of containerd's and CRI-O's usual sockets that exists; \"none\" for none)",
      ).env('TRIPLINE_CRI_SOCKET'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
        .env('TRIPLINE_LOG_LEVEL')
        .default('info'),
    )
    .action(runAgent);
  for (const sub of agentAdminCommands()) agent.addCommand(sub);
  return agent;
}
