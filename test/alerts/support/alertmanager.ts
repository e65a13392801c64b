import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/ports.js';
import { waitFor } from '../../support/wait.js';

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

export interface TestAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/**
 * The real Alertmanager (Debian's prometheus-alertmanager) on a loopback port, with a temporary
 * config and storage and gossip off, ready when its /-/ready answers.
 */
export async function startAlertmanager(): Promise<TestAlertmanager> {
  if (!existsSync(ALERTMANAGER_BINARY)) throw new Error(`${ALERTMANAGER_BINARY} is missing (make test installs Debian package prometheus-alertmanager)`);
  const dir = mkdtempSync(join(tmpdir(), 'tripline-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      'Alertmanager to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      30_000,
      100,
    );
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
