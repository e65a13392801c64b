import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlyMonitors } from '../../src/policy/monitor-only.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { equalPathSelector, onePolicy, permissionPolicyYaml } from './helpers.js';

const DECOY = '/srv/decoy/passwd';
const LINK = '/srv/links/passwd';

function policy(name: string, selectors: string, extraSpec = ''): CompiledPolicy {
  return onePolicy(permissionPolicyYaml(selectors, extraSpec, name));
}

const reporting = policy(
  'reports',
  `${equalPathSelector(DECOY)}      matchActions:
      - action: Post
      - action: GetUrl
        argUrl: https://canary.example/t/1
      - action: DnsLookup
        argFqdn: t1.canary.example
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["${DECOY}"]
      matchActions:
      - action: NoPost
`,
);

/** A policy on `path` whose only selector kills, and only for processes that are not cat. */
function killingOthers(path: string, extraSpec = ''): CompiledPolicy {
  return policy(
    'kills',
    `${equalPathSelector(path)}      matchBinaries:
      - operator: NotIn
        values: ["/usr/bin/cat"]
      matchActions:
      - action: Sigkill
`,
    extraSpec,
  );
}

test('a file watched only by Post, NoPost, GetUrl and DnsLookup selectors is only monitored', () => {
  assert.equal(onlyMonitors([reporting], [DECOY]), true);
});

test('any selector that can kill, deny or signal, whatever it matches, makes the file not only monitored', () => {
  assert.equal(onlyMonitors([reporting, killingOthers(DECOY)], [DECOY]), false);
  const denying = policy(
    'denies',
    `    - matchArgs:
      - index: 0
        operator: Prefix
        values: ["/srv/"]
      matchActions:
      - action: Override
        argError: -1
`,
  );
  assert.equal(onlyMonitors([reporting, denying], [DECOY]), false, 'a prefix covering the file counts');
  const signalling = policy(
    'signals',
    `${equalPathSelector(DECOY)}      matchActions:
      - action: Signal
        argSig: 10
`,
  );
  assert.equal(onlyMonitors([signalling], [DECOY]), false);
});

test('an enforcing policy counts only for the files it watches, by any of their names', () => {
  const elsewhere = killingOthers('/srv/other/file');
  assert.equal(onlyMonitors([reporting, elsewhere], [DECOY]), true);
  const onLink = killingOthers(LINK);
  assert.equal(onlyMonitors([reporting, onLink], [DECOY]), true);
  assert.equal(onlyMonitors([reporting, onLink], [DECOY, LINK]), false, 'the hard link is another name of the same file');
});

test('monitor mode drops the enforcing actions, so such a policy only monitors', () => {
  const monitored = killingOthers(
    DECOY,
    `
  options:
  - name: policy-mode
    value: monitor`,
  );
  assert.equal(onlyMonitors([reporting, monitored], [DECOY]), true);
});
