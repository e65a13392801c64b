import { Agent, request } from 'node:http';

/** One keep-alive connection pool for a benchmark's requests, so connecting is not what is timed. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** Milliseconds from sending a GET to having read its whole answer; fails on any status but 200. */
export function timedGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: keepAlive, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
        else resolve(performance.now() - started);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
