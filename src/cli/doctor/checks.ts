import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { ChannelTestResult, ChannelView } from '../../alerts/channel-service.js';
import type { DeploymentView } from '../../server/api/deployment.js';
import type { AgentView } from '../../server/api/agents.js';
import { ApiCallError, type ApiClient } from '../client.js';
import { checkServer, checkThroughResolvers, type Finding } from '../dns/check.js';
import { DnsQueryFailed, queryDns, type DnsServerAddress } from '../dns/client.js';

export type DoctorFinding = Omit<Finding, 'status'> & { status: Finding['status'] | 'skipped' };

const HOUR = 3600_000;
/** How long the doctor waits for its probe to arrive through the public URL. */
const PROBE_WAIT_MS = 5_000;
/** Clock skew that makes hit and alert times disagree visibly; past the second, alert windows drift. */
const SKEW_PROBLEM_MS = 30_000;
const SKEW_WARNING_MS = 2_000;
/** systemd-resolved's stub listener, which holds port 53 on loopback by default. */
const RESOLVED_STUB: DnsServerAddress = { host: '127.0.0.53', port: 53 };

const isLoopback = (host: string) => /^127\.|^\[?::1\]?$|^localhost$/i.test(host);

function reachable(url: string): string {
  return url.replace('//0.0.0.0', '//127.0.0.1').replace('//[::]', '//[::1]');
}

/** A fresh random id requested through the public URL must arrive at this server. */
export async function checkPublicUrl(api: ApiClient, deployment: DeploymentView): Promise<DoctorFinding[]> {
  const publicUrl = deployment.publicUrl.replace(/\/+$/, '');
  const fix = `start the server with --public-url set to the address the internet reaches its trigger listener at (now ${deployment.triggerUrl}${deployment.tls ? ` and ${deployment.tls.url}` : ''}), and forward that address to it`;
  let id: string;
  try {
    ({ id } = await api.post<{ id: string }>('/deployment/probes'));
  } catch (error) {
    if (!(error instanceof ApiCallError) || error.status !== 403) throw error;
    return [
      {
        status: 'problem',
        check: 'public URL',
        detail: 'not checked: a reachability probe needs an admin key',
        fix: 'run tripline doctor with an admin key (TRIPLINE_KEY)',
      },
    ];
  }
  const target = `${publicUrl}/${id}.gif`;
  let status: number;
  try {
    const answer = await fetch(target, { signal: AbortSignal.timeout(PROBE_WAIT_MS), redirect: 'manual' });
    status = answer.status;
    await answer.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return [{ status: 'problem', check: 'public URL', detail: `${publicUrl} does not answer (${cause})`, fix }];
  }
  let arrival: { source: string; listener: string } | null = null;
  for (const deadline = Date.now() + PROBE_WAIT_MS; Date.now() < deadline && !arrival; ) {
    arrival = (await api.get<{ arrival: { source: string; listener: string } | null }>(`/deployment/probes/${id}`)).arrival;
    if (!arrival) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!arrival) {
    return [
      {
        status: 'problem',
        check: 'public URL',
        detail: `${publicUrl} answered ${status}, but the request never reached this server: the public URL leads elsewhere`,
        fix,
      },
    ];
  }
  const host = new URL(publicUrl).hostname;
  const findings: DoctorFinding[] = [
    { status: 'ok', check: 'public URL', detail: `a request to ${publicUrl}/<fresh id> arrived over ${arrival.listener} from ${arrival.source}` },
  ];
  if (isLoopback(host)) {
    findings.push({
      status: 'warning',
      check: 'public URL address',
      detail: `${publicUrl} is a loopback address: token URLs built from it cannot be reached from another machine`,
      fix: 'start the server with --public-url set to its public name or address',
    });
  } else if (isLoopback(arrival.source)) {
    findings.push({
      status: 'warning',
      check: 'public URL source',
      detail: `the request through ${publicUrl} came back from loopback (${arrival.source}): a proxy on this host, or the name resolves to this host only`,
      fix: 'if a proxy forwards to Tripline, list it in --trust-proxy so hits show the real source',
    });
  }
  return findings;
}

/** Delegation as the world sees it, or the given server directly; a server that is not Tripline's on the DNS port is named. */
export async function checkDns(deployment: DeploymentView, target: { server?: DnsServerAddress; resolvers: DnsServerAddress[] }): Promise<DoctorFinding[]> {
  if (!deployment.dns) return [{ status: 'skipped', check: 'DNS', detail: 'the server runs no DNS listener (no --dns-zone)' }];
  const zone = deployment.dns.zone;
  if (!target.server) return (await checkThroughResolvers(zone, target.resolvers)).map((finding) => ({ ...finding, check: `DNS ${finding.check}` }));
  const findings: DoctorFinding[] = (await checkServer(zone, target.server)).map((finding) => ({ ...finding, check: `DNS ${finding.check}` }));
  const first = findings[0];
  if (first?.status === 'problem' && /reachable|zone served|authoritative/.test(first.check)) {
    const where = `${target.server.host}:${target.server.port}`;
    const stub = await queryDns(RESOLVED_STUB, zone, 'SOA', { timeoutMs: 1000 }).then(
      () => true,
      (error: unknown) => !(error instanceof DnsQueryFailed),
    );
    const hint = stub
      ? `systemd-resolved's stub listener answers on 127.0.0.53:53: set DNSStubListener=no in /etc/systemd/resolved.conf and restart systemd-resolved, or bind Tripline to the public address only (--dns-host)`
      : `find what holds port ${target.server.port} (ss -lunp 'sport = :${target.server.port}'), stop it, then start Tripline with --dns-zone ${zone} --dns-port ${target.server.port}`;
    findings.push({
      status: 'problem',
      check: 'DNS port',
      detail: `${where} is not answered by this Tripline server (its DNS listener is ${deployment.dns.host}:${deployment.dns.port}): another server holds the port, or none`,
      fix: hint,
    });
  }
  return findings;
}

/** The certificate the HTTPS trigger listener presents: chain, names, expiry. */
export async function checkCertificate(deployment: DeploymentView, servername?: string): Promise<DoctorFinding[]> {
  if (!deployment.tls) return [{ status: 'skipped', check: 'certificate', detail: 'no HTTPS trigger listener (no --tls-listen)' }];
  const url = new URL(reachable(deployment.tls.url));
  const publicHost = new URL(deployment.publicUrl).hostname;
  const name = servername ?? (isIP(publicHost) || isLoopback(publicHost) ? deployment.tls.acme?.domains.find((d) => !d.startsWith('*.')) : publicHost);
  const presented = await new Promise<{ cert?: X509Certificate; error?: string; chainError?: string }>((resolve) => {
    const socket = connect(
      { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443), ...(name ? { servername: name } : {}), rejectUnauthorized: false },
      () => {
        const peer = socket.getPeerX509Certificate();
        resolve({ cert: peer, ...(socket.authorized ? {} : { chainError: String(socket.authorizationError) }) });
        socket.end();
      },
    );
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    socket.setTimeout(10_000, () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
  });
  const fixSource =
    deployment.tls.source === 'acme'
      ? 'see the server log for the ACME order (lines "acme order failed"), fix what it names, and the server retries by itself'
      : 'put a valid certificate and key in the --tls-cert/--tls-key files; the server reloads them when they change';
  if (!presented.cert) {
    return [
      {
        status: 'problem',
        check: 'certificate',
        detail: `${deployment.tls.url} completes no TLS handshake (${presented.error ?? 'no certificate yet'})`,
        fix: fixSource,
      },
    ];
  }
  const cert = presented.cert;
  const findings: DoctorFinding[] = [];
  const notAfter = Date.parse(cert.validTo);
  const notBefore = Date.parse(cert.validFrom);
  const left = notAfter - Date.now();
  if (left <= 0) {
    findings.push({ status: 'problem', check: 'certificate expiry', detail: `the certificate expired ${new Date(notAfter).toISOString()}`, fix: fixSource });
  } else if (left < Math.min(14 * 24 * HOUR, (notAfter - notBefore) / 3)) {
    findings.push({
      status: 'warning',
      check: 'certificate expiry',
      detail: `the certificate expires ${new Date(notAfter).toISOString()}, soon`,
      fix: fixSource,
    });
  } else {
    findings.push({ status: 'ok', check: 'certificate expiry', detail: `valid until ${new Date(notAfter).toISOString()}` });
  }
  if (presented.chainError && presented.chainError !== 'CERT_HAS_EXPIRED') {
    findings.push({
      status: 'problem',
      check: 'certificate chain',
      detail: `clients cannot verify it (${presented.chainError}; issuer ${cert.issuer.replace(/\n/g, ', ')})`,
      fix: `${fixSource}; the file must hold the intermediate certificates after the leaf (a private CA is trusted with NODE_EXTRA_CA_CERTS)`,
    });
  } else if (!presented.chainError) {
    findings.push({ status: 'ok', check: 'certificate chain', detail: `verified up to a trusted root (issuer ${cert.issuer.replace(/\n/g, ', ')})` });
  }
  if (name) {
    findings.push(
      cert.checkHost(name)
        ? { status: 'ok', check: 'certificate names', detail: `valid for ${name} (${cert.subjectAltName ?? cert.subject})` }
        : {
            status: 'problem',
            check: 'certificate names',
            detail: `not valid for ${name}: it names ${cert.subjectAltName ?? cert.subject}`,
            fix: deployment.tls.source === 'acme' ? `order it for ${name} (--acme-domains)` : `use a certificate that names ${name}`,
          },
    );
  }
  return findings;
}

/** Every channel's test send; a channel that fails would lose real alerts. */
export async function checkChannels(api: ApiClient): Promise<DoctorFinding[]> {
  const { items } = await api.get<{ items: ChannelView[] }>('/channels');
  if (items.length === 0) {
    return [
      { status: 'warning', check: 'channels', detail: 'no alert channel: hits are recorded but nobody is told', fix: 'add one: tripline channel add --help' },
    ];
  }
  const findings: DoctorFinding[] = [];
  for (const channel of items) {
    const result = await api.post<ChannelTestResult>(`/channels/${encodeURIComponent(channel.id)}/test`);
    findings.push(
      result.ok
        ? {
            status: 'ok',
            check: `channel ${channel.name}`,
            detail: `${channel.kind}: the test alert was accepted${result.status ? ` (${result.status})` : ''}`,
          }
        : {
            status: 'problem',
            check: `channel ${channel.name}`,
            detail: `${channel.kind}: the test alert failed: ${result.error ?? 'no reason given'}`,
            fix: `fix the receiver or the channel's settings (tripline channel test ${channel.id} to retry), or delete the channel`,
          },
    );
  }
  return findings;
}

/** A test mail through the server's SMTP settings, by a throwaway email channel. */
export async function checkSmtp(api: ApiClient, address: string | undefined): Promise<DoctorFinding[]> {
  if (!address) return [{ status: 'skipped', check: 'SMTP', detail: 'no test mail sent (give --smtp-test ADDRESS)' }];
  const channel = await api.post<ChannelView>('/channels', { kind: 'email', name: 'tripline doctor (SMTP test)', to: [address] });
  try {
    const result = await api.post<ChannelTestResult>(`/channels/${encodeURIComponent(channel.id)}/test`);
    return [
      result.ok
        ? { status: 'ok', check: 'SMTP', detail: `a test mail to ${address} was accepted by the SMTP server` }
        : {
            status: 'problem',
            check: 'SMTP',
            detail: `a test mail to ${address} failed: ${result.error ?? 'no reason given'}`,
            fix: 'check --smtp-host/--smtp-port/--smtp-user/--smtp-from (TRIPLINE_SMTP_*) on the server',
          },
    ];
  } finally {
    await api.delete(`/channels/${encodeURIComponent(channel.id)}`);
  }
}

/** Every enrolled agent must have been heard from lately. */
export async function checkAgents(api: ApiClient): Promise<DoctorFinding[]> {
  const { items, onlineWindowSeconds } = await api.get<{ items: AgentView[]; onlineWindowSeconds: number }>('/agents');
  const live = items.filter((agent) => !(agent as { revokedAt?: string | null }).revokedAt);
  if (live.length === 0) return [{ status: 'skipped', check: 'agents', detail: 'no agent enrolled' }];
  return live.map((agent) =>
    agent.online
      ? { status: 'ok', check: `agent ${agent.name}`, detail: `heard from ${agent.lastSeen}` }
      : {
          status: 'problem',
          check: `agent ${agent.name}`,
          detail: agent.lastSeen ? `silent since ${agent.lastSeen} (more than ${onlineWindowSeconds} s)` : 'enrolled but never heard from',
          fix: `on ${agent.enrolledNode}: check that tripline agent runs (systemctl status tripline-agent, its log) and reaches the admin listener; revoke it if the host is gone`,
        },
  );
}

/** This host's clock, the server's and the store's, which order hits and alert windows. */
export function checkClocks(deployment: DeploymentView, sentAt: number, receivedAt: number): DoctorFinding[] {
  const here = (sentAt + receivedAt) / 2;
  const pairs: [check: string, between: string, skewMs: number][] = [
    ['clock (server)', 'the server and this host', Date.parse(deployment.serverTime) - here],
    ['clock (store)', 'the store and the server', Date.parse(deployment.storeTime) - Date.parse(deployment.serverTime)],
  ];
  return pairs.map(([check, between, skew]) => {
    const size = Math.abs(skew);
    const detail = `${between} differ by ${(size / 1000).toFixed(1)} s`;
    if (size <= SKEW_WARNING_MS) return { status: 'ok', check, detail };
    return { status: size > SKEW_PROBLEM_MS ? 'problem' : 'warning', check, detail, fix: 'run NTP on every host (timedatectl set-ntp true, or chrony)' };
  });
}
