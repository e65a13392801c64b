#!/usr/bin/env node
import { Command, Option } from 'commander';
import { TriplineError } from '../core/errors.js';
import { DEFAULT_SERVER_URL } from './client.js';
import { agentCommand } from './commands/agent.js';
import { alertCommand } from './commands/alert.js';
import { channelCommand } from './commands/channel.js';
import { decoyCommand } from './commands/decoy.js';
import { dnsCommand } from './commands/dns.js';
import { hitCommand, hitsCommand } from './commands/hits.js';
import { doctorCommand } from './commands/doctor.js';
import { keyCommand } from './commands/key.js';
import { noiseCommand } from './commands/noise.js';
import { policyCommand } from './commands/policy.js';
import { serverCommand } from './commands/server.js';
import { tetragonInputCommand } from './commands/tetragon-input.js';
import { tokenCommand } from './commands/token.js';

function program(): Command {
  return new Command('tripline')
    .description('Tripline: canary tokens, decoy files watched at kernel level, and alerts that say who touched what.')
    .version('0.1.0')
    .addOption(new Option('--server <url>', `Tripline server for client commands (default ${DEFAULT_SERVER_URL})`).env('TRIPLINE_URL'))
    .addOption(new Option('--key <key>', 'API key for client commands').env('TRIPLINE_KEY'))
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(serverCommand())
    .addCommand(tokenCommand())
    .addCommand(decoyCommand())
    .addCommand(dnsCommand())
    .addCommand(hitsCommand())
    .addCommand(hitCommand())
    .addCommand(noiseCommand())
    .addCommand(channelCommand())
    .addCommand(alertCommand())
    .addCommand(policyCommand())
    .addCommand(agentCommand())
    .addCommand(tetragonInputCommand())
    .addCommand(keyCommand())
    .addCommand(doctorCommand());
}

/** One line a human can act on, never a stack trace; exit 1. */
function fail(error: unknown): never {
  const message = error instanceof TriplineError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`tripline: ${message}\n`);
  if (process.env.TRIPLINE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

/** Tripline runs on Node.js 24 LTS or later (Makefile: .runtime/node); an older node is refused, never used. */
const MINIMUM_NODE_MAJOR = 24;
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < MINIMUM_NODE_MAJOR) {
  fail(
    `Node.js ${process.version} is too old: Tripline needs Node.js ${MINIMUM_NODE_MAJOR} or later (make installs it into .runtime/node; run .runtime/node/bin/node dist/cli/main.js)`,
  );
}

program().parseAsync(process.argv).catch(fail);
