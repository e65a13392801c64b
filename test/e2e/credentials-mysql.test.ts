/**
 * mysql-dump tokens imported into Debian's MariaDB server (its own datadir, on loopback) and used
 * with the mariadb client, against the MySQL listener of a real `tripline server` process.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { waitForHits } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { cleanEnv, run, scratch } from './credentials-support.js';
import { startMariaDb, type MariaDb } from './mariadb-support.js';

describe('mysql-dump tokens with MariaDB', () => {
  const work = scratch('mysql');
  let server: ServerProcess;
  let mariadb: MariaDb;
  let mysqlPort: number;
  let env: Record<string, string>;
  before(async () => {
    mysqlPort = await freePort();
    server = await spawnServer([...(await listenArgs()), '--db', join(work.dir, 'tripline.db'), '--mysql-listen', `127.0.0.1:${mysqlPort}`], {
      TRIPLINE_ADMIN_KEY: 'k'.repeat(40),
    });
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
    mariadb = await startMariaDb(work.dir);
  });
  after(async () => {
    await mariadb?.stop();
    await server?.stop();
    work.remove();
  });

  async function createToken(memo: string): Promise<{ id: string; dump: string }> {
    const dir = join(work.dir, memo.replace(/\W+/g, '-'));
    await run('mkdir', ['-p', dir], cleanEnv(work.dir));
    const created = await runCli(['token', 'create', '--kind', 'mysql-dump', '--memo', memo, '--out', dir, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    return { id: token.id, dump: readFileSync(join(dir, 'dump.sql'), 'utf8') };
  }

  it('mariadb db < dump.sql imports the data and makes the server connect as a replica; the hit names the token and the host', async () => {
    const { id, dump } = await createToken('dump on the nas');
    assert.equal((await mariadb.sql('CREATE DATABASE shop')).code, 0);
    const imported = await mariadb.sql(dump, 'shop');
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((await mariadb.sql('SELECT COUNT(*) FROM customers', 'shop')).stdout.trim().split('\n')[1], '24');
    const hits = await waitForHits(server, id, 1);
    assert.ok(hits.length >= 1, 'the replica connected');
    const hit = hits.at(-1);
    assert.equal(hit.detail.type, 'mysql');
    assert.equal(hit.detail.replica, true);
    assert.equal(hit.detail.user, `repl_${id}@${hostname()}`);
    assert.equal(hit.detail.serverHost, hostname());
    assert.equal(hit.source, '127.0.0.1');
    assert.ok(hit.facts.some((f: { label: string; value: string }) => f.label === 'Importing server' && f.value === hostname()));
    const status = await mariadb.sql('SHOW SLAVE STATUS\\G');
    assert.match(status.stdout, /Last_IO_Error: .*Access denied for user/);
    await mariadb.sql('STOP SLAVE; RESET SLAVE ALL;');
  });

  it("mariadb -h -P -u -p with the dump's credentials comment fires too, and is refused", async () => {
    const { id, dump } = await createToken('creds in dump header');
    const line = /^--\s+mysql -h (\S+) -P (\d+) -u (\S+) -p'([^']+)' (\S+)$/m.exec(dump);
    assert.ok(line, 'the header hands out a client command');
    const [, host, port, user, password, database] = line;
    const result = await run(
      'mariadb',
      ['--no-defaults', '-h', host!, '-P', port!, '-u', user!, `-p${password}`, database!, '-e', 'SELECT 1'],
      cleanEnv(work.dir),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`Access denied for user '${user}'@'127\\.0\\.0\\.1' \\(using password: YES\\)`));
    const hits = await waitForHits(server, id, 1);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].detail.user, user);
    assert.equal(hits[0].detail.replica, false);
    assert.equal(hits[0].detail.database, database);
    assert.ok(hits[0].detail.capabilityNames.includes('PROTOCOL_41'));
  });

  it('an unknown user gets the same refusal and records nothing', async () => {
    const result = await run(
      'mariadb',
      ['--no-defaults', '-h', '127.0.0.1', '-P', String(mysqlPort), '-u', `backup_${'a'.repeat(26)}`, '-pwhatever', 'shop', '-e', 'SELECT 1'],
      cleanEnv(work.dir),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ERROR 1045 \(28000\): Access denied for user 'backup_a{26}'@'127\.0\.0\.1' \(using password: YES\)/);
  });
});
