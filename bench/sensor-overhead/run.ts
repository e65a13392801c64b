/**
 * Sensor overhead: an open/read/close loop on a file the agent does not watch, in the same
 * directory as 100 watched decoys, with the agent running and without it, alternating in the
 * same run (medians of the rounds). Target: the loop keeps at least 1/1.05 of its rate.
 * Run as root: `node --import tsx bench/sensor-overhead/run.ts`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from '../../test/agent/support/agent-process.js';
import { permissionPolicyYaml } from '../../test/policy/helpers.js';
import { percentile, printRatio } from '../support/report.js';

const DECOYS = 100;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SETTLE_MS = 2000;

/**
 * CPU nanoseconds (user + system) per open/read/close of `path`. CPU time, not wall time: what
 * the marks cost the accessing process, without the time it spends descheduled on a shared box.
 */
function loop(path: string): number {
  const buffer = Buffer.alloc(64);
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const fd = openSync(path, 'r');
    readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ITERATIONS;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

const dir = await mkdtemp(join(tmpdir(), 'tripline-bench-sensor-'));
try {
  await chmod(dir, 0o755);
  const decoys = Array.from({ length: DECOYS }, (_, n) => join(dir, `decoy-${n}`));
  for (const decoy of decoys) await writeFile(decoy, 'decoy\n');
  const unrelated = join(dir, 'unrelated');
  await writeFile(unrelated, 'not watched\n');
  const policies = join(dir, 'policies');
  await mkdir(policies);
  const selector = `    - matchArgs:
      - index: 0
        operator: Equal
        values:
${decoys.map((d) => `        - "${d}"`).join('\n')}
`;
  await writeFile(join(policies, 'decoys.yaml'), permissionPolicyYaml(selector, '', 'bench-decoys'));
  loop(unrelated); // warm up the page cache and the JIT
  const off: number[] = [];
  const on: number[] = [];
  // Alternating, and the order flipped every round, so drift (other load, CPU frequency) falls
  // on both sides alike.
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) off.push(loop(unrelated));
    const agent = await AgentProcess.start(['--policy-dir', policies]);
    const ready = agent.logs.find((l) => l.msg === 'agent ready');
    if (ready?.watched !== DECOYS) throw new Error(`the agent watches ${String(ready?.watched)} files, expected ${DECOYS}`);
    // Let the freshly started process finish compiling and go idle: only its marks should count.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    on.push(loop(unrelated));
    await agent.stop();
    if (round % 2 === 1) off.push(loop(unrelated));
  }
  const [offNs, onNs] = [median(off), median(on)];
  const ratio = onNs / offNs;
  printRatio('sensor-overhead', [
    { label: 'without agent', value: 1e9 / offNs, unit: 'open/read/close per s' },
    { label: `with agent watching ${DECOYS} decoys`, value: 1e9 / onNs, unit: 'open/read/close per s' },
  ], ratio, '<= 1.05', ratio <= 1.05);
} finally {
  await rm(dir, { recursive: true, force: true });
}
