import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { ConfigError } from '../../core/errors.js';

export interface CertificatePair {
  /** The leaf first, then its chain. */
  certPem: string;
  keyPem: string;
}

export interface CertificateFacts {
  subject: string;
  names: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
}

/** What a certificate says about itself: the names it is valid for, who issued it and when it runs out. */
export function certificateFacts(certPem: string): CertificateFacts {
  const leaf = new X509Certificate(certPem);
  const names = (leaf.subjectAltName ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('DNS:') || part.startsWith('IP Address:'))
    .map((part) => part.slice(part.indexOf(':') + 1));
  return {
    subject: leaf.subject,
    names,
    issuer: leaf.issuer,
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
  };
}

/** Refuses a certificate and key that do not parse or do not belong together, naming where they came from. */
export function checkPair(pair: CertificatePair, from: string): CertificateFacts {
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(pair.certPem);
    const key = createPrivateKey(pair.keyPem);
    if (!new X509Certificate(pair.certPem).checkPrivateKey(key)) throw new Error('the key is not the certificate’s');
    createSecureContext({ cert: pair.certPem, key: pair.keyPem });
  } catch (error) {
    throw new ConfigError(`${from}: not a usable certificate and key (${(error as Error).message})`, { from });
  }
  return facts;
}

/**
 * The certificate the TLS listeners present, swapped in place: a new one takes effect for the
 * next handshake, connections already open keep theirs, and no listener restarts.
 */
export class ServedCertificate {
  private readonly servers = new Set<TlsServer>();
  private pair?: CertificatePair;
  private facts?: CertificateFacts;

  /** The certificate now served, if one is. */
  get current(): (CertificatePair & CertificateFacts) | undefined {
    return this.pair && this.facts ? { ...this.pair, ...this.facts } : undefined;
  }

  /** Serves the current certificate on this listener, and every later one. */
  attach(server: TlsServer): void {
    this.servers.add(server);
    if (this.pair) server.setSecureContext({ cert: this.pair.certPem, key: this.pair.keyPem });
  }

  /** Checks and serves a new certificate; throws ConfigError (and keeps the old one) when it is not usable. */
  install(pair: CertificatePair, from: string): CertificateFacts {
    const facts = checkPair(pair, from);
    this.pair = pair;
    this.facts = facts;
    for (const server of this.servers) server.setSecureContext({ cert: pair.certPem, key: pair.keyPem });
    return facts;
  }
}
