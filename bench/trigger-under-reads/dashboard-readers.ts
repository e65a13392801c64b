/**
 * Four dashboard clients looping over the given pages until the parent says stop, then the read
 * latencies' summary back to the parent. Forked by run.ts with an IPC channel.
 * Usage (forked): dashboard-readers.ts <authorization header> <url>...
 */
import { timedGet } from '../support/http-timing.js';
import { latencySummary } from '../support/report.js';

const READERS = 4;
const [authorization, ...pages] = process.argv.slice(2);
if (!authorization || pages.length === 0 || !process.send) throw new Error('fork with: <authorization> <url>...');

let stopping = false;
const times: number[] = [];
process.once('message', () => (stopping = true));
await Promise.all(
  Array.from({ length: READERS }, async (_, reader) => {
    for (let i = reader; !stopping; i++) times.push(await timedGet(pages[i % pages.length]!, { authorization }));
  }),
);
process.send({ reads: times.length, ...latencySummary(times) }, () => process.exit(0));
