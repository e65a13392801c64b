/**
 * token_keys and listener_keys (migration 011) on both store dialects: keys found by their
 * token, gone with it, and one listener key shared by servers that race to make it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/connect.js';
import { ListenerKeyRepository } from '../../src/store/repositories/listener-keys.js';
import { TokenKeyRepository } from '../../src/store/repositories/token-keys.js';
import { wireguardPublicKeyOf } from '../../src/tokens/decoys/wireguard-keys.js';
import { TokenService } from '../../src/tokens/service.js';
import { storeDialects } from '../support/dialects.js';

const context = { publicUrl: 'https://t.example.test', listeners: { ssh: 22, wireguard: 51820 }, wireguardPublicKey: Buffer.alloc(32, 1).toString('base64') };

for (const dialect of storeDialects()) {
  describe(`token and listener keys on ${dialect.name}`, () => {
    it("stores a token's lookup keys with it, finds the token by them, and drops them with the token", async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const tokens = new TokenService(store.db, context);
        const keys = new TokenKeyRepository(store.db);
        const ssh = await tokens.create({ kind: 'ssh-key', memo: 'key' });
        const wireguard = await tokens.create({ kind: 'wireguard', memo: 'vpn' });
        const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(ssh.artifact.usage!)![0];
        assert.equal(await keys.tokenIdFor(`ssh:${fingerprint}`), ssh.id);
        const config = wireguard.artifact.file!.content;
        assert.match(config, /PublicKey = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=/);
        const clientKey = wireguardPublicKeyOf(/^PrivateKey = (\S+)$/m.exec(config)![1]!);
        assert.equal(await keys.tokenIdFor(`wireguard:${clientKey}`), wireguard.id);
        assert.equal(await keys.tokenIdFor('ssh:SHA256:nothing'), undefined);
        await tokens.delete(ssh.id);
        assert.equal(await keys.tokenIdFor(`ssh:${fingerprint}`), undefined);
      } finally {
        await store.close();
      }
    });

    it('makes a listener key once: concurrent first uses all get the one stored', async () => {
      const location = await dialect.newLocation();
      const stores = [await openStore(location), await openStore(location)];
      try {
        let made = 0;
        const generate = () => `key-${++made}`;
        const got = await Promise.all(stores.flatMap((store) => [0, 1, 2].map(() => new ListenerKeyRepository(store.db).getOrCreate('ssh-host', generate))));
        assert.equal(new Set(got).size, 1, `every caller got the same key: ${got.join(', ')}`);
        assert.equal(await new ListenerKeyRepository(stores[0]!.db).getOrCreate('ssh-host', () => 'another'), got[0]);
      } finally {
        for (const store of stores) await store.close();
      }
    });
  });
}
