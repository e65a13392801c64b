/**
 * `tripline server`'s listener flags as a real process: --listen/--admin-listen (IPv6 included),
 * the deprecated --host/--port and TRIPLINE_HOST/TRIPLINE_PORT with their log line, and the
 * errors for values that cannot work.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { runCli, spawnServer } from '../support/process.js';
import { scratch } from './credentials-support.js';

const KEY = 'tpl_admin_listen_flags_test_key_0123456789';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

function logLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('tripline server listener flags', () => {
  const work = scratch('listen-flags');
  let db = 0;
  const nextDb = () => `${work.dir}/store-${db++}.db`;
  after(() => work.remove());

  it('serves the trigger plane on --listen and the admin plane on --admin-listen, IPv6 included', async () => {
    const [trigger, admin] = [await freePort('::1'), await freePort()];
    const server = await spawnServer(['--listen', `[::1]:${trigger}`, '--admin-listen', `127.0.0.1:${admin}`, '--db', nextDb()], { TRIPLINE_ADMIN_KEY: KEY });
    try {
      assert.equal(server.url, `http://[::1]:${trigger}`);
      assert.equal(server.adminUrl, `http://127.0.0.1:${admin}`);
      assert.equal((await fetch(`${server.adminUrl}/healthz`)).status, 200);
      const onTrigger = await fetch(`${server.url}/healthz`);
      assert.equal(onTrigger.headers.get('content-type'), 'image/gif');
      const listening = logLines(server.stdout()).find((line) => line.msg === 'tripline server listening')!;
      assert.equal(listening.node, process.version);
      assert.ok(!logLines(server.stdout()).some((line) => /deprecated/.test(line.msg)), 'no deprecation line without --host/--port');
    } finally {
      await server.stop();
    }
  });

  it('still takes --host/--port, and TRIPLINE_HOST/TRIPLINE_PORT, for the trigger listener, with a deprecation line in the log', async () => {
    for (const [args, env] of [
      [['--host', '127.0.0.1', '--port', String(await freePort())], {}],
      [[], { TRIPLINE_HOST: '127.0.0.1', TRIPLINE_PORT: String(await freePort()) }],
    ] as const) {
      const port = args.length ? args[3] : env.TRIPLINE_PORT;
      const server = await spawnServer([...args, '--admin-listen', `127.0.0.1:${await freePort()}`, '--db', nextDb()], { TRIPLINE_ADMIN_KEY: KEY, ...env });
      try {
        assert.equal(server.url, `http://127.0.0.1:${port}`);
        const warning = logLines(server.stdout()).find((line) => /deprecated/.test(line.msg));
        assert.ok(warning, `a deprecation line in the log:\n${server.stdout()}`);
        assert.equal(warning.level, 40, 'logged as a warning');
        assert.match(warning.msg, /--host\/--port .* deprecated .* use --listen 127\.0\.0\.1:\d+/);
        assert.equal((await fetch(`${server.adminUrl}/healthz`)).status, 200);
      } finally {
        await server.stop();
      }
    }
  });

  it('refuses malformed, clashing or doubled listener settings with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['--listen', '127.0.0.1'], /--listen: "127\.0\.0\.1" is not HOST:PORT/],
      [['--listen', '::1:8080'], /--listen: "::1:8080" is not HOST:PORT .*\[::1\]:8080/],
      [['--admin-listen', '127.0.0.1:70000'], /--admin-listen: "70000" is not a port from 0 to 65535/],
      [['--listen', '127.0.0.1:18080', '--admin-listen', '127.0.0.1:18080'], /both 127\.0\.0\.1:18080/],
      [['--listen', '127.0.0.1:18080', '--port', '18081'], /old spelling of --listen/],
      [['--max-connections-per-source', '0'], /--max-connections-per-source "0"/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['server', ...args, '--db', nextDb()], { TRIPLINE_ADMIN_KEY: KEY });
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
