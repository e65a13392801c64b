import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { waitFor } from '../support/wait.js';

/** Runs curl; never throws, so a test can assert on a failed handshake too. */
export function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('curl', ['-sS', '--max-time', '10', ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
}

/** A CA and a leaf it signed for `names` (DNS names or IP addresses), made with openssl. */
export function makeCertificate(dir: string, prefix: string, names: string[], days = 1): { ca: string; cert: string; key: string } {
  const ca = join(dir, `${prefix}-ca.pem`);
  const caKey = join(dir, `${prefix}-ca-key.pem`);
  const cert = join(dir, `${prefix}-cert.pem`);
  const key = join(dir, `${prefix}-key.pem`);
  const csr = join(dir, `${prefix}.csr`);
  const ext = join(dir, `${prefix}.ext`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '2', '-subj', `/CN=${prefix} test CA`], { stdio: 'ignore' });
  execFileSync('openssl', ['req', ...ec, '-keyout', key, '-out', csr, '-subj', `/CN=${names[0]}`], { stdio: 'ignore' });
  const san = names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  writeFileSync(ext, `subjectAltName=${san}\n`);
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', String(days), '-extfile', ext], {
    stdio: 'ignore',
  });
  return { ca, cert, key };
}

/** A certificate for `names` that expired long ago (signed by its own CA with `openssl ca`, which takes fixed dates). */
export function makeExpiredCertificate(dir: string, prefix: string, names: string[]): { ca: string; cert: string; key: string } {
  const base = makeCertificate(dir, prefix, names);
  const config = join(dir, `${prefix}-ca.cnf`);
  writeFileSync(join(dir, `${prefix}-index.txt`), '');
  writeFileSync(join(dir, `${prefix}-serial`), '01\n');
  writeFileSync(
    config,
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${prefix}-index.txt\nnew_certs_dir = .\nserial = ${prefix}-serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n[any]\ncommonName = supplied\n`,
  );
  const cert = join(dir, `${prefix}-expired.pem`);
  execFileSync(
    'openssl',
    [
      'ca',
      '-batch',
      '-config',
      config,
      '-cert',
      base.ca,
      '-keyfile',
      join(dir, `${prefix}-ca-key.pem`),
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
    ].concat(['-in', join(dir, `${prefix}.csr`), '-out', cert, '-notext', '-extfile', join(dir, `${prefix}.ext`)]),
    { stdio: 'ignore', cwd: dir },
  );
  return { ca: base.ca, cert, key: base.key };
}

/** The certificate a TLS listener presents for `servername`, as a client that trusts the CA in the file `ca` sees it. */
export function peerCertificate(
  port: number,
  ca: string,
  servername = 'localhost',
): Promise<{ fingerprint256: string; serialNumber: string; subjectaltname?: string; valid_to: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(ca), servername }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.once('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('tls handshake timed out')));
  });
}

export interface Pebble {
  directory: string;
  /** Pebble's own HTTPS certificate's CA, for NODE_EXTRA_CA_CERTS. */
  ownCa: string;
  /** The root that signs the certificates it issues (fetched from its management listener). */
  root(): Promise<string>;
  stop(): Promise<void>;
  output(): string;
}

/**
 * Pebble's own HTTPS certificate in `dir`, made once: a server that will talk to pebble needs its
 * CA in NODE_EXTRA_CA_CERTS from its start, which may come before pebble's.
 */
export function pebbleOwnCertificate(dir: string): { ca: string; cert: string; key: string } {
  const made = { ca: join(dir, 'pebble-ca.pem'), cert: join(dir, 'pebble-cert.pem'), key: join(dir, 'pebble-key.pem') };
  return existsSync(made.cert) ? made : makeCertificate(dir, 'pebble', ['localhost', '127.0.0.1'], 2);
}

export const PEBBLE = execFileSync('sh', ['-c', 'command -v pebble || true'], { encoding: 'utf8' }).trim();

/**
 * Debian's pebble (Let's Encrypt's ACME test server) on loopback: it validates HTTP-01 on
 * `httpPort` and resolves names through `dnsPort` (Tripline's own DNS listener).
 */
export async function startPebble(
  dir: string,
  ports: { acme: number; management: number; httpPort: number; dnsPort: number; validitySeconds?: number },
): Promise<Pebble> {
  const own = pebbleOwnCertificate(dir);
  const config = join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${ports.acme}`,
        managementListenAddress: `127.0.0.1:${ports.management}`,
        certificate: own.cert,
        privateKey: own.key,
        httpPort: ports.httpPort,
        tlsPort: ports.httpPort + 1,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(ports.validitySeconds ? { certificateValidityPeriod: ports.validitySeconds } : {}),
      },
    }),
  );
  const child: ChildProcess = spawn(PEBBLE, ['-config', config, '-dnsserver', `127.0.0.1:${ports.dnsPort}`, '-strict=false'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const directory = `https://127.0.0.1:${ports.acme}/dir`;
  // Its output is read when the wait ends, not when it starts: on a failure it says why.
  await waitFor(
    'pebble to listen',
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pebble exited (${child.exitCode ?? child.signalCode}):\n${out}`);
      return (await curl(['--cacert', own.ca, directory])).code === 0;
    },
    20_000,
    100,
  ).catch((error: Error) => {
    child.kill('SIGTERM');
    throw new Error(`${error.message}\npebble's output:\n${out}`);
  });
  return {
    directory,
    ownCa: own.ca,
    async root() {
      const answer = await curl(['--cacert', own.ca, `https://127.0.0.1:${ports.management}/roots/0`]);
      if (answer.code !== 0) throw new Error(`pebble root: ${answer.stderr}`);
      return answer.stdout;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    output: () => out,
  };
}

/** `tripline server` flags for an ACME certificate: DNS zone `zone` on `dnsPort` answering 127.0.0.1, HTTPS on `tlsPort`. */
export function acmeServerArgs(options: {
  httpPort: number;
  adminPort: number;
  tlsPort: number;
  dnsPort: number;
  zone: string;
  directory: string;
  db: string;
}): string[] {
  return [
    ...['--listen', `127.0.0.1:${options.httpPort}`, '--admin-listen', `127.0.0.1:${options.adminPort}`, '--tls-listen', `127.0.0.1:${options.tlsPort}`],
    ...['--dns-zone', options.zone, '--dns-port', String(options.dnsPort), '--dns-address', '127.0.0.1'],
    ...['--acme-email', `ops@${options.zone}`, '--acme-directory', options.directory, '--db', options.db],
  ];
}
