/**
 * Sends GETs to one URL at a fixed rate, whatever the answers take (an open loop: a slow answer
 * does not delay the next request), and prints the latencies' summary as JSON. Runs in its own
 * process so the benchmark's dashboard readers never delay its clock.
 * Usage: paced-client.ts <url> <requests per second> <requests>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { timedGet } from '../support/http-timing.js';
import { latencySummary } from '../support/report.js';

const [url, rateText, countText] = process.argv.slice(2);
const rate = Number(rateText);
const count = Number(countText);
if (!url || !(rate > 0) || !(count > 0)) throw new Error('usage: paced-client.ts <url> <rate> <count>');

const latencies: number[] = [];
let failures = 0;
const pending: Promise<void>[] = [];
const started = performance.now();
for (let sent = 0; sent < count; sent++) {
  const due = started + (sent * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  pending.push(
    timedGet(url, { 'user-agent': 'bench/1.0' }).then(
      (ms) => void latencies.push(ms),
      () => {
        failures += 1;
      },
    ),
  );
}
await Promise.all(pending);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ ...latencySummary(latencies), failures, rate: latencies.length / seconds })}\n`);
process.exit(0);
