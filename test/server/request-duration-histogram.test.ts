import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { RequestDurationHistogram } from '../../src/server/request-duration-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: [string, string, number, number][] = [
  ['trigger', 'GET', 200, 0.0004],
  ['trigger', 'GET', 200, 0.001],
  ['trigger', 'GET', 200, 0.05],
  ['trigger', 'GET', 200, 7],
  ['trigger', 'POST', 413, 0.002],
  ['/api/v1/tokens', 'GET', 401, 0.0002],
];

test('prints the same exposition as prom-client for the same observations', async () => {
  const ours = new Registry();
  const histogram = new RequestDurationHistogram('t_duration_seconds', 'Durations.', BUCKETS, ours);
  const reference = new Registry();
  const theirs = new Histogram({
    name: 't_duration_seconds',
    help: 'Durations.',
    labelNames: ['route', 'method', 'status_code'],
    buckets: BUCKETS,
    registers: [reference],
  });
  for (const [route, method, status, seconds] of OBSERVATIONS) {
    histogram.series(route, method, status).observe(seconds);
    theirs.observe({ route, method, status_code: String(status) }, seconds);
  }
  const printed = await ours.metrics();
  assert.equal(printed, await reference.metrics());
  assert.match(printed, /t_duration_seconds_bucket\{le="0.001",route="trigger",method="GET",status_code="200"\} 2/);
  assert.match(printed, /t_duration_seconds_bucket\{le="\+Inf",route="trigger",method="GET",status_code="200"\} 4/);
  assert.match(printed, /t_duration_seconds_count\{route="trigger",method="POST",status_code="413"\} 1/);
});

test('one series per label set, reused across observations', () => {
  const histogram = new RequestDurationHistogram('u_duration_seconds', 'Durations.', BUCKETS, new Registry());
  assert.equal(histogram.series('trigger', 'GET', 200), histogram.series('trigger', 'GET', 200));
  assert.notEqual(histogram.series('trigger', 'GET', 200), histogram.series('trigger', 'GET', 302));
});

test('after a reset, observations land in fresh series that scrapes still see', async () => {
  const registry = new Registry();
  const histogram = new RequestDurationHistogram('v_duration_seconds', 'Durations.', BUCKETS, registry);
  histogram.series('trigger', 'GET', 200).observe(0.5);
  registry.resetMetrics();
  histogram.series('trigger', 'GET', 200).observe(0.5);
  assert.match(await registry.metrics(), /v_duration_seconds_count\{route="trigger",method="GET",status_code="200"\} 1\n/);
});
