import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { normalizeDnsName } from '../../server/dns/zone.js';
import { collect } from '../context.js';
import { checkZone, type Finding, type ZoneCheckReport } from '../dns/check.js';
import type { DnsServerAddress } from '../dns/client.js';
import { printJson, safeText } from '../output.js';

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353" or a host name, with port 53 unless given. */
export function parseServerAddress(text: string, defaultPort = 53): DnsServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : isIP(text) === 6 ? [text, undefined] : (text.split(':') as [string, string | undefined]);
  const portNumber = port === undefined ? defaultPort : Number(port);
  if (!host || /^[a-z]+:\/\//i.test(text) || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new ValidationError(`"${text}" is not a nameserver address: give an IP (or host name) with an optional :port`);
  }
  return { host, port: portNumber };
}

const MARK: Record<Finding['status'], string> = { ok: 'ok', warning: 'warning', problem: 'PROBLEM' };

function printReport(report: ZoneCheckReport): void {
  const how = report.mode === 'direct' ? `asking ${report.servers.join(', ')} directly` : `through the resolvers ${report.servers.join(', ')}`;
  process.stdout.write(`DNS check of ${report.zone}, ${how}\n\n`);
  const width = Math.max(...report.findings.map((finding) => finding.check.length));
  for (const finding of report.findings) {
    process.stdout.write(`  ${MARK[finding.status].padEnd(8)} ${finding.check.padEnd(width)}  ${safeText(finding.detail)}\n`);
    if (finding.fix && finding.status !== 'ok') process.stdout.write(`  ${''.padEnd(8)} ${''.padEnd(width)}  fix: ${safeText(finding.fix)}\n`);
  }
  const problems = report.findings.filter((finding) => finding.status === 'problem').length;
  process.stdout.write(
    problems === 0
      ? `\n${report.zone} is reachable and ${report.mode === 'direct' ? 'answered correctly' : 'delegated correctly'}\n`
      : `\n${problems} problem${problems === 1 ? '' : 's'}: dns tokens under ${report.zone} will not fire until fixed\n`,
  );
}

/** `tripline dns check`: is the token zone reachable and delegated, and if not, what to change. */
export function dnsCommand(): Command {
  const dns = new Command('dns').description('Check the DNS set-up that dns tokens rely on.');
  dns
    .command('check')
    .description('Say whether the token zone is reachable and delegated correctly, with the fix when it is not (exit 1 on problems).')
    .requiredOption('--zone <zone>', 'the zone given to tripline server --dns-zone')
    .option('--server <ip[:port]>', 'ask this nameserver directly (the Tripline server); default: follow the zone through the resolvers, as the world does')
    .option('--resolver <ip[:port]>', "recursive resolver to follow the zone through instead of the system's (repeatable)", collect)
    .option('--json', 'print JSON')
    .action(async (options: { zone: string; resolver?: string[]; json?: boolean }, command: Command) => {
      const zone = normalizeDnsName(options.zone, '--zone');
      // --server is also the program-wide API URL option, which commander parses first; only a
      // value typed on this command line (not TRIPLINE_URL) names a nameserver here.
      const root = command.parent?.parent;
      const typed = root?.getOptionValueSource('server') === 'cli' ? (root.opts().server as string | undefined) : undefined;
      const server = typed ? parseServerAddress(typed) : undefined;
      const resolvers = (options.resolver ?? getServers()).map((entry) => parseServerAddress(entry));
      const report = await checkZone(zone, { server, resolvers });
      if (options.json) printJson(report);
      else printReport(report);
      if (!report.ok) process.exitCode = 1;
    });
  return dns;
}
