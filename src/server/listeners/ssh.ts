import type { Logger } from 'pino';
import ssh2, { type AuthContext, type Connection, type PublicKeyAuthContext } from 'ssh2';
import type { SshHitDetail, SshHitLevel } from '../../core/model/listener-hit-detail.js';
import { sshFingerprint, sshKeyDecoy } from '../../tokens/decoys/ssh-key.js';
import { sshLookupKey } from '../../tokens/ssh-key.js';
import type { ListenerKeyRepository } from '../../store/repositories/listener-keys.js';
import { normalizeAddress } from '../client-address.js';
import type { ListenAddress } from '../listen-address.js';
import type { ListenerTokens } from './keyed-tokens.js';
import { LISTENER_LIMITS, startTcpListener, type RunningTcpListener } from './tcp-listener.js';

/** What Debian's sshd says of itself; the listener is one more bastion among many. */
export const SSH_IDENT = 'OpenSSH_9.2p1 Debian-2+deb12u3';
/** sshd's MaxAuthTries: past this many failures the connection is closed. */
const MAX_AUTH_TRIES = 6;
const MAX_TEXT = 256;

interface Offer {
  user: string;
  keyType: string;
  fingerprint: string;
  used: boolean;
}

function capped(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/**
 * One client connection. Every publickey query is answered "this key would do" (PK_OK), whoever's
 * key it is: answering only for decoy keys would tell a prober which keys are decoys. A client
 * with the private half then signs, the signature is checked, and the login is refused as a
 * server refuses a key that is not in authorized_keys. A decoy key only offered (its private half
 * missing) is recorded as "key-offered" when the connection ends; a verified signature is
 * recorded at once as "private-key-used", and the offer of that key is not recorded again.
 */
function serveClient(client: Connection, source: string, clientVersion: string, tokens: ListenerTokens, log: Logger): void {
  const offers = new Map<string, Offer>();
  let failures = 0;

  const record = async (offer: Offer, level: SshHitLevel): Promise<void> => {
    const token = await tokens.findByKey(sshLookupKey(offer.fingerprint)).catch(() => undefined);
    const what = level === 'private-key-used' ? 'signed with the decoy private key' : 'offered the decoy public key';
    await tokens.recordOrWait(token, () => {
      const detail: SshHitDetail = {
        type: 'ssh',
        level,
        user: offer.user,
        clientVersion,
        keyType: offer.keyType,
        fingerprint: offer.fingerprint,
        summary: `SSH ${offer.user}: ${what} (${offer.keyType})`,
      };
      return { source, userAgent: clientVersion, detail };
    });
  };

  const refuse = (ctx: AuthContext) => {
    failures += 1;
    ctx.reject(['publickey', 'password']);
    if (failures >= MAX_AUTH_TRIES) client.end();
  };

  const publickey = async (ctx: PublicKeyAuthContext): Promise<void> => {
    const fingerprint = sshFingerprint(ctx.key.data);
    let offer = offers.get(fingerprint);
    if (!offer) {
      if (offers.size >= MAX_AUTH_TRIES * 2) return refuse(ctx);
      offer = { user: capped(ctx.username), keyType: capped(ctx.key.algo), fingerprint, used: false };
      offers.set(fingerprint, offer);
    }
    if (!ctx.signature || !ctx.blob) {
      ctx.accept();
      return;
    }
    const key = ssh2.utils.parseKey(ctx.key.data);
    const verified = !(key instanceof Error) && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
    if (verified && !offer.used) {
      offer.used = true;
      offer.user = capped(ctx.username);
      await record(offer, 'private-key-used');
    }
    refuse(ctx);
  };

  client.on('authentication', (ctx) => {
    if (ctx.method === 'publickey') {
      publickey(ctx).catch((error: unknown) => {
        log.debug({ err: error }, 'ssh publickey attempt failed');
        refuse(ctx);
      });
      return;
    }
    refuse(ctx);
  });
  client.on('error', () => undefined);
  client.on('close', () => {
    for (const offer of offers.values()) {
      if (!offer.used) void record(offer, 'key-offered');
    }
  });
}

export interface SshListenerOptions {
  address: ListenAddress;
  tokens: ListenerTokens;
  hostKeys: ListenerKeyRepository;
  log: Logger;
  refused: () => void;
}

/** The SSH listener (--ssh-listen): a stable host key from the store, then refused logins that fire ssh-key tokens. */
export async function startSshListener(options: SshListenerOptions): Promise<RunningTcpListener> {
  const hostKey = await options.hostKeys.getOrCreate('ssh-host', () => sshKeyDecoy('root@localhost').privateKey);
  const ssh = new ssh2.Server({ hostKeys: [hostKey], ident: SSH_IDENT }, (client, info) => {
    serveClient(client, normalizeAddress(info.ip), capped(info.header.identRaw), options.tokens, options.log);
  });
  ssh.on('error', (error: Error) => options.log.debug({ err: error }, 'ssh listener error'));
  return startTcpListener(options.address, LISTENER_LIMITS, (socket) => ssh.injectSocket(socket), options.refused);
}
