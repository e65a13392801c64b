/**
 * The agent's output thread (a real worker thread running src/agent/output/output-worker.ts):
 * events handed over by the verdict thread reach the server (a node:http server on loopback
 * standing in for Tripline's agent endpoints) only after the verdict thread's heartbeat covers
 * their tokens; what cannot be sent stays in the spool across a close; a spool that cannot be
 * used fails the start with its reason.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { AgentEvent } from '../../src/core/agent-protocol.js';
import { newRowId } from '../../src/core/ids.js';
import { OutputThread } from '../../src/agent/output/output-thread.js';
import { Spool } from '../../src/agent/report/spool.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const log = pino({ level: 'silent' });
const KEY = 'agent-key-for-tests';

function tamperEvent(tokenId: string): AgentEvent {
  return {
    id: newRowId(),
    tokenId,
    node: 'n',
    policy: 'p',
    hook: null,
    actions: [],
    tamper: { time: new Date().toISOString(), path: '/decoy', change: 'deleted', process: null },
  };
}

const delivered = (server: HttpReceiver): string[] =>
  server.to('/api/v1/agents/events').flatMap((r) => (r.body as { events: AgentEvent[] }).events.map((e) => e.id));

describe('OutputThread', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-output-thread-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sends a burst once the heartbeat covers its tokens, every event once', async () => {
    const server = await new HttpReceiver().start();
    server.behaviour = () => ({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });
    const asked: string[][] = [];
    let cover: (() => void) | undefined;
    const covered = new Promise<void>((resolve) => (cover = resolve));
    const thread = await OutputThread.start({
      setup: { nodeName: 'n', server: { url: server.url(''), key: KEY, spoolDir: join(dir, 'burst') } },
      log,
      covering: (tokenIds) => {
        asked.push(tokenIds);
        return covered;
      },
    });
    try {
      const events = Array.from({ length: 300 }, (_, i) => tamperEvent(i % 2 === 0 ? 'tok-a' : 'tok-b'));
      for (const e of events) thread.submit(e);
      await waitFor('the output thread to ask for a covering heartbeat', () => asked.length > 0);
      assert.equal(server.attempts.length, 0, 'nothing is sent before the heartbeat covers the tokens');
      assert.ok(asked[0]!.includes('tok-a'));
      cover!();
      await waitFor('every event delivered', () => new Set(delivered(server)).size === events.length);
      assert.deepEqual(new Set(delivered(server)), new Set(events.map((e) => e.id)));
      assert.equal(delivered(server).length, events.length, 'no event is sent twice');
      assert.equal(server.received[0]!.headers.authorization, `Bearer ${KEY}`);
    } finally {
      await thread.close();
      await server.stop();
    }
  });

  it('sends at once for tokens the last delivered heartbeat named, and asks only for others', async () => {
    const server = await new HttpReceiver().start();
    server.behaviour = () => ({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });
    const asked: string[][] = [];
    const thread = await OutputThread.start({
      setup: { nodeName: 'n', server: { url: server.url(''), key: KEY, spoolDir: join(dir, 'reported') } },
      log,
      covering: (tokenIds) => {
        asked.push(tokenIds);
        return Promise.resolve();
      },
    });
    try {
      thread.tokensReported(['tok-a']);
      const known = tamperEvent('TOK-A');
      thread.submit(known);
      await waitFor('the event of a reported token', () => delivered(server).includes(known.id));
      assert.deepEqual(asked, [], 'a token the last heartbeat named needs no question');
      const other = tamperEvent('tok-b');
      thread.submit(other);
      await waitFor('the event of another token', () => delivered(server).includes(other.id));
      assert.deepEqual(asked, [['tok-b']]);
    } finally {
      await thread.close();
      await server.stop();
    }
  });

  it('keeps what it could not send in the spool when closed', async () => {
    const spoolDir = join(dir, 'unsent');
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const thread = await OutputThread.start({
      setup: { nodeName: 'n', server: { url: unreachable, key: KEY, spoolDir } },
      log,
      covering: () => Promise.resolve(),
    });
    const events = Array.from({ length: 20 }, () => tamperEvent('tok-a'));
    for (const e of events) thread.submit(e);
    await thread.close();
    const spool = await Spool.open(spoolDir, log);
    try {
      assert.deepEqual(new Set(spool.batch(100).map((e) => e.id)), new Set(events.map((e) => e.id)));
    } finally {
      await spool.close();
    }
  });

  it('fails to start, naming the directory, when the spool cannot be used', async () => {
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, 'x');
    await assert.rejects(
      OutputThread.start({
        setup: { nodeName: 'n', server: { url: 'http://127.0.0.1:9', key: KEY, spoolDir: notADirectory } },
        log,
        covering: () => Promise.resolve(),
      }),
      (err: Error) => err.name === 'AgentError' && err.message.includes(notADirectory),
    );
  });
});
