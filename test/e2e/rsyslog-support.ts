import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** One line of rsyslog's output: the RFC 5424 fields as rsyslog parsed them, and the input it came in on. */
export interface SyslogRecord {
  input: 'udp' | 'tcp' | 'tls';
  pri: string;
  facility: string;
  severity: string;
  version: string;
  timestamp: string;
  hostname: string;
  appname: string;
  procid: string;
  msgid: string;
  sd: string;
  msg: string;
}

export interface TestRsyslog {
  ports: { udp: number; tcp: number; tls: number };
  /** The PEM certificate its TLS listener presents (self-signed, for 127.0.0.1). */
  certificate: string;
  records(): SyslogRecord[];
  stop(): Promise<void>;
}

/**
 * Debian's rsyslogd on loopback, in the foreground, with its own config, pid file and work
 * directory: imudp, imtcp, and imtcp with the gtls driver (a certificate made by openssl now),
 * writing every message through a JSON template (one object per line) to a file the test reads.
 */
export async function startRsyslog(): Promise<TestRsyslog> {
  if (!existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} is missing (Debian packages rsyslog and rsyslog-gnutls)`);
  const dir = mkdtempSync(join(tmpdir(), 'tripline-rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  const ports = { udp: await freePort(), tcp: await freePort(), tls: await freePort() };
  const output = join(dir, 'messages.json');
  const fields = [
    'inputname:input',
    'pri',
    'syslogfacility:facility',
    'syslogseverity:severity',
    'protocol-version:version',
    'hostname',
    'app-name:appname',
    'procid',
    'msgid',
    'structured-data:sd',
    'msg',
  ];
  const properties = fields.map((f) => {
    const [name, outname = name] = f.split(':') as [string, string?];
    return `  property(outname="${outname}" name="${name}" format="jsonf")`;
  });
  properties.splice(5, 0, '  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")');
  const config = join(dir, 'rsyslog.conf');
  writeFileSync(
    config,
    [
      `global(workDirectory="${dir}/work" maxMessageSize="64k"`,
      `  defaultNetstreamDriverCAFile="${cert}" defaultNetstreamDriverCertFile="${cert}" defaultNetstreamDriverKeyFile="${key}")`,
      'module(load="imudp")',
      'module(load="imtcp")',
      `input(type="imudp" address="127.0.0.1" port="${ports.udp}" name="udp")`,
      `input(type="imtcp" address="127.0.0.1" port="${ports.tcp}" name="tcp")`,
      `input(type="imtcp" address="127.0.0.1" port="${ports.tls}" name="tls" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")`,
      'template(name="json" type="list" option.jsonf="on") {',
      ...properties,
      '}',
      `action(type="omfile" file="${output}" template="json")`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', config, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const records = (): SyslogRecord[] =>
    existsSync(output)
      ? readFileSync(output, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as SyslogRecord)
      : [];
  const stop = async () => {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ready once a probe datagram comes out the other end.
    const probe = createSocket('udp4');
    try {
      await waitFor(
        'rsyslogd to take messages',
        async () => {
          if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${log}`);
          probe.send('<14>1 - - probe - - - ready', ports.udp, '127.0.0.1');
          return records().some((r) => r.appname === 'probe');
        },
        20_000,
        200,
      );
    } finally {
      probe.close();
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nrsyslogd said: ${log}`);
  }
  return { ports, certificate: readFileSync(cert, 'utf8'), records: () => records().filter((r) => r.appname !== 'probe'), stop };
}
