import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { TetragonInput } from '../../agent/tetragon/input.js';
import { ConfigError } from '../../core/errors.js';
import type { GlobalOptions } from '../context.js';
import { duration } from './agent.js';

interface Flags {
  exportFile?: string;
  grpc?: string;
  agentKey?: string;
  policyDir: string;
  nodeName: string;
  stateDir: string;
  heartbeatInterval: number;
  logLevel: string;
}

/** `tripline tetragon-input`: Tetragon's own events, for policies labelled tripline/token, as hits. */
export function tetragonInputCommand(): Command {
  return new Command('tetragon-input')
    .description(
      "Report Tetragon's process_kprobe events of policies labelled tripline/token as hits, read from its JSON export file (followed across rotation) or its gRPC API.",
    )
    .option('--export-file <path>', "Tetragon's JSON export file (e.g. /var/run/cilium/tetragon/tetragon.log)")
    .option('--grpc <address>', "Tetragon's gRPC API: unix:///var/run/tetragon/tetragon.sock or host:port")
    .addOption(new Option('--agent-key <key>', 'an agent key (`tripline agent enroll --name NODE`)').env('TRIPLINE_AGENT_KEY'))
    .requiredOption('--policy-dir <dir>', 'the TracingPolicies applied to Tetragon: their tripline/token labels name the tokens')
    .addOption(new Option('--node-name <name>', 'the node the agent key is enrolled for').env('TRIPLINE_NODE_NAME').default(hostname()))
    .addOption(new Option('--state-dir <dir>', 'spool and export-file position').env('TRIPLINE_STATE_DIR').default('/var/lib/tripline/tetragon-input'))
    .addOption(new Option('--heartbeat-interval <duration>', 'how often to tell the server the input is alive').default(15_000, '15s').argParser(duration))
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .action(async (flags: Flags, command: Command) => {
      const { server } = command.optsWithGlobals<GlobalOptions>();
      if ((flags.exportFile === undefined) === (flags.grpc === undefined)) throw new ConfigError('give exactly one of --export-file and --grpc');
      if (!server || !flags.agentKey)
        throw new ConfigError('--server (or TRIPLINE_URL) and --agent-key (or TRIPLINE_AGENT_KEY) are required: where to report, and as which agent');
      const log = pino({ level: flags.logLevel, base: { node: flags.nodeName } }, pino.destination(2));
      const input = await TetragonInput.start({
        source: flags.exportFile ? { exportFile: resolve(flags.exportFile) } : { grpc: flags.grpc! },
        policyDir: resolve(flags.policyDir),
        nodeName: flags.nodeName,
        server: { url: server, key: flags.agentKey, heartbeatMs: flags.heartbeatInterval },
        stateDir: resolve(flags.stateDir),
        log,
      });
      log.info('tetragon input ready');
      const stop = () => {
        input.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'stopping failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
