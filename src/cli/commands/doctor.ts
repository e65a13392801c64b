import { getServers } from 'node:dns';
import { Command } from 'commander';
import type { DeploymentView } from '../../server/api/deployment.js';
import { clientFor, collect } from '../context.js';
import { checkAgents, checkCertificate, checkChannels, checkClocks, checkDns, checkPublicUrl, checkSmtp, type DoctorFinding } from '../doctor/checks.js';
import { printJson, safeText } from '../output.js';
import { parseServerAddress } from './dns.js';

const MARK: Record<DoctorFinding['status'], string> = { ok: 'ok', warning: 'warning', problem: 'PROBLEM', skipped: 'skipped' };

function print(findings: DoctorFinding[]): void {
  const width = Math.max(...findings.map((finding) => finding.check.length));
  for (const finding of findings) {
    process.stdout.write(`  ${MARK[finding.status].padEnd(8)} ${finding.check.padEnd(width)}  ${safeText(finding.detail)}\n`);
    if (finding.fix && finding.status !== 'ok') process.stdout.write(`  ${''.padEnd(8)} ${''.padEnd(width)}  fix: ${safeText(finding.fix)}\n`);
  }
  const problems = findings.filter((finding) => finding.status === 'problem').length;
  process.stdout.write(problems === 0 ? '\nno problems found\n' : `\n${problems} problem${problems === 1 ? '' : 's'} to fix\n`);
}

interface DoctorOptions {
  dnsServer?: string;
  resolver?: string[];
  tlsName?: string;
  smtpTest?: string;
  json?: boolean;
}

/** `tripline doctor`: checks a whole deployment through the admin API and from outside, with the fix for each problem. */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'Check a deployment end to end: public URL, DNS delegation and port, certificate, channels, SMTP, agents, clocks; prints each problem with its fix (exit 1 while any remains).',
    )
    .option(
      '--dns-server <ip[:port]>',
      "ask Tripline's DNS listener here directly (as the world's resolvers would reach it); default: follow the zone through the resolvers",
    )
    .option('--resolver <ip[:port]>', "recursive resolver to follow the zone through instead of the system's (repeatable)", collect)
    .option('--tls-name <name>', 'host name to check the certificate for (default: the public URL host, or the first ACME name)')
    .option('--smtp-test <address>', 'send a test mail to this address through the server’s SMTP settings')
    .option('--json', 'print JSON')
    .action(async (options: DoctorOptions, command: Command) => {
      const api = clientFor(command);
      const sentAt = Date.now();
      const deployment = await api.get<DeploymentView>('/deployment');
      const receivedAt = Date.now();
      const resolvers = (options.resolver ?? getServers()).map((entry) => parseServerAddress(entry));
      const findings: DoctorFinding[] = [
        ...(await checkPublicUrl(api, deployment)),
        ...(await checkDns(deployment, { server: options.dnsServer ? parseServerAddress(options.dnsServer) : undefined, resolvers })),
        ...(await checkCertificate(deployment, options.tlsName)),
        ...(await checkChannels(api)),
        ...(await checkSmtp(api, options.smtpTest)),
        ...(await checkAgents(api)),
        ...checkClocks(deployment, sentAt, receivedAt),
      ];
      const ok = findings.every((finding) => finding.status !== 'problem');
      if (options.json) printJson({ ok, server: deployment.dashboardUrl, publicUrl: deployment.publicUrl, findings });
      else print(findings);
      if (!ok) process.exitCode = 1;
    });
}
