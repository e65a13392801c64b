import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyText } from '../../src/policy/load.js';
import { equalPathSelector, permissionPolicyYaml } from './helpers.js';

const HEAD = permissionPolicyYaml(equalPathSelector('/srv/decoy'), '', 'v');

/** The first selector of HEAD with `lines` added (line 19 onwards), indented as its keys. */
function withSelectorLines(...lines: string[]): string {
  return HEAD + lines.map((l) => `      ${l}\n`).join('');
}

function problems(yaml: string): { errors: string[]; warnings: string[] } {
  const result = loadPolicyText('p.yaml', yaml);
  if (result.errors.length > 0) assert.deepEqual(result.policies, []);
  return { errors: result.errors.map((e) => e.format()), warnings: result.warnings.map((w) => w.format()) };
}

function errorsOf(yaml: string): string[] {
  return problems(yaml).errors;
}

test('the base policy used below is valid', () => {
  assert.deepEqual(problems(HEAD), { errors: [], warnings: [] });
});

test('matchArgs refer to declared args, with operators that fit their type', () => {
  assert.deepEqual(errorsOf(withSelectorLines('- index: 2', '  operator: Equal', '  values: ["1"]')), [
    'p.yaml:19:16: spec.kprobes[0].selectors[0].matchArgs[1].index: no args entry has index 2 (declared: 0, 1)',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('- index: 0', '  operator: Mask', '  values: ["1"]')), [
    'p.yaml:20:19: spec.kprobes[0].selectors[0].matchArgs[1].operator: Mask does not apply to the file argument; supported: Equal, NotEqual, Prefix, NotPrefix, Postfix, NotPostfix',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('- index: 1', '  operator: Prefix', '  values: ["2"]')), [
    'p.yaml:20:19: spec.kprobes[0].selectors[0].matchArgs[1].operator: Prefix does not apply to the int argument; supported: Equal, NotEqual, Mask',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('- index: 1', '  operator: Equal', '  values: ["write"]')), [
    'p.yaml:21:18: spec.kprobes[0].selectors[0].matchArgs[1].values[0]: expected an integer (decimal, 0x hex or 0 octal), got "write"',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('- index: 0', '  operator: Prefix', '  values: ["srv/decoy"]')), [
    'p.yaml:21:18: spec.kprobes[0].selectors[0].matchArgs[1].values[0]: must be an absolute path: Prefix compares the whole path from /',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('- index: 0', '  operator: Equal', '  values: []')), [
    'p.yaml:21:17: spec.kprobes[0].selectors[0].matchArgs[1].values: needs at least one value',
  ]);
});

test('actions take their own arguments, checked', () => {
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Signal')), [
    'p.yaml:20:9: spec.kprobes[0].selectors[0].matchActions[0].argSig: is required',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Signal', '  argSig: 99')), [
    'p.yaml:21:17: spec.kprobes[0].selectors[0].matchActions[0].argSig: must be between 1 and 64, got 99',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: GetUrl', '  argUrl: ftp://canary.example/x')), [
    'p.yaml:21:17: spec.kprobes[0].selectors[0].matchActions[0].argUrl: must be an http:// or https:// URL, got "ftp://canary.example/x"',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: DnsLookup', '  argFqdn: "not a name"')), [
    'p.yaml:21:18: spec.kprobes[0].selectors[0].matchActions[0].argFqdn: must be a domain name, got "not a name"',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Post', '  rateLimit: 5 minutes')), [
    'p.yaml:21:20: spec.kprobes[0].selectors[0].matchActions[0].rateLimit: expected a duration like 30s, 5m or 1h, or a number of seconds; got "5 minutes"',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Post', '  rateLimit: 1m', '  rateLimitScope: cluster')), [
    'p.yaml:22:25: spec.kprobes[0].selectors[0].matchActions[0].rateLimitScope: unknown scope "cluster"; expected one of thread, process, global',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Sigkill', '  argUrl: http://canary.example/')), [
    'p.yaml:21:17: spec.kprobes[0].selectors[0].matchActions[0].argUrl: argUrl does not apply to Sigkill',
  ]);
  assert.deepEqual(errorsOf(withSelectorLines('matchActions:', '- action: Post', '- action: NoPost')), [
    'p.yaml:21:9: spec.kprobes[0].selectors[0].matchActions[1]: NoPost conflicts with Post in the same matchActions',
  ]);
  const [unknown] = errorsOf(withSelectorLines('matchActions:', '- action: Kill'));
  assert.match(
    unknown!,
    /^p\.yaml:20:17: spec\.kprobes\[0\]\.selectors\[0\]\.matchActions\[0\]\.action: unknown action "Kill"; supported: Post, NoPost, GetUrl/,
  );
  const [tetragonOnly] = errorsOf(withSelectorLines('matchActions:', '- action: FollowFD'));
  assert.match(tetragonOnly!, /matchActions\[0\]\.action: FollowFD is a Tetragon action Tripline does not support/);
});

test('action names are case-insensitive, as in Tetragon', () => {
  assert.deepEqual(problems(withSelectorLines('matchActions:', '- action: sigkill', '- action: geturl', '  argUrl: http://127.0.0.1/')).errors, []);
});

test('unknown fields are errors, with a hint for near misses and for Tetragon-only fields', () => {
  assert.deepEqual(errorsOf(withSelectorLines('matchArg: []')), [
    'p.yaml:19:7: spec.kprobes[0].selectors[0].matchArg: unknown field "matchArg" (did you mean matchArgs?); expected one of matchArgs, matchBinaries, matchParentBinaries, matchPIDs, matchActions, label',
  ]);
  const [namespaces] = errorsOf(withSelectorLines('matchNamespaces: []'));
  assert.match(
    namespaces!,
    /^p\.yaml:19:7: spec\.kprobes\[0\]\.selectors\[0\]\.matchNamespaces: matchNamespaces is a Tetragon field that Tripline does not support here/,
  );
  assert.deepEqual(errorsOf(HEAD.replace('kind: TracingPolicy', 'kind: TracingPolicy\nstatus: {}')), [
    'p.yaml:3:1: status: unknown field "status"; expected one of apiVersion, kind, metadata, spec',
  ]);
});

test('the document itself: apiVersion, kind, metadata', () => {
  assert.deepEqual(errorsOf(HEAD.replace('cilium.io/v1alpha1', 'cilium.io/v1')), ['p.yaml:1:13: apiVersion: must be cilium.io/v1alpha1, got "cilium.io/v1"']);
  assert.deepEqual(errorsOf(HEAD.replace('kind: TracingPolicy', 'kind: ConfigMap')), [
    'p.yaml:2:7: kind: unsupported kind "ConfigMap"; expected TracingPolicy or TracingPolicyNamespaced',
  ]);
  assert.deepEqual(errorsOf(HEAD.replace('  name: v\n', '  labels: {a: b}\n')), ['p.yaml:4:3: metadata.name: is required']);
  assert.deepEqual(errorsOf(HEAD.replace('  name: v\n', '  name: v\n  namespace: default\n')), [
    'p.yaml:5:14: metadata.namespace: applies only to TracingPolicyNamespaced',
  ]);
  assert.deepEqual(errorsOf(HEAD.replace('kind: TracingPolicy', 'kind: TracingPolicyNamespaced')), ['p.yaml:4:3: metadata.namespace: is required']);
  assert.deepEqual(errorsOf(`${HEAD}---\n${HEAD}`), ['p.yaml:23:9: metadata.name: policy v is defined twice in this file']);
});

test('args must fit the hook', () => {
  assert.deepEqual(errorsOf(HEAD.replace('      type: int', '      type: file')), [
    'p.yaml:13:13: spec.kprobes[0].args[1].type: argument 1 of security_file_permission is a mask: declare it as int, uint32, nop',
  ]);
  assert.deepEqual(errorsOf(HEAD.replace('      type: int', '      type: string')), [
    'p.yaml:13:13: spec.kprobes[0].args[1].type: unsupported type "string"; supported: file, path, fd, int, uint32, nop',
  ]);
  assert.deepEqual(errorsOf(HEAD.replace('    - index: 1', '    - index: 2')), [
    'p.yaml:12:14: spec.kprobes[0].args[1].index: security_file_permission has 2 arguments (index 0 to 1)',
  ]);
  assert.deepEqual(errorsOf(HEAD.replace('    - index: 1\n      type: int', '    - index: 0\n      type: file')), [
    'p.yaml:12:7: spec.kprobes[0].args[1]: index 0 is declared twice',
  ]);
});

test('arguments the sensor cannot observe cannot be filtered on', () => {
  const fdInstall = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fd
spec:
  kprobes:
  - call: fd_install
    syscall: false
    args:
    - index: 0
      type: int
    - index: 1
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["3"]
      - index: 1
        operator: Equal
        values: ["/srv/decoy"]
`;
  assert.deepEqual(errorsOf(fdInstall), [
    'p.yaml:16:16: spec.kprobes[0].selectors[0].matchArgs[0].index: argument 0 of fd_install (fd) is not observable by the fanotify sensor; only the file and the access mask can be matched',
  ]);
  // Declared as fd, the same argument names the file being installed, which can be matched.
  const asFd = fdInstall.replace('      type: int', '      type: fd').replace('values: ["3"]', 'values: ["/srv/decoy"]');
  assert.deepEqual(problems(asFd).errors, []);
});

test('an lsm hook listed under kprobes says where it belongs', () => {
  const [error] = errorsOf(HEAD.replace('call: security_file_permission', 'call: file_open'));
  assert.match(
    error!,
    /^p\.yaml:7:11: spec\.kprobes\[0\]\.call: unsupported call "file_open" \(file_open is an LSM hook: list it under spec\.lsmhooks with hook\)/,
  );
});

test('Tetragon limits: 5 selectors per hook, one matchBinaries entry', () => {
  const selector = equalPathSelector('/srv/decoy');
  const six = HEAD.slice(0, HEAD.indexOf('    - matchArgs')) + selector.repeat(6);
  assert.deepEqual(errorsOf(six), ['p.yaml:15:5: spec.kprobes[0].selectors: at most 5 selectors per hook, got 6']);
  assert.deepEqual(errorsOf(withSelectorLines('matchBinaries:', '- operator: In', '  values: ["/usr/bin/a"]', '- operator: In', '  values: ["/usr/bin/b"]')), [
    'p.yaml:20:7: spec.kprobes[0].selectors[0].matchBinaries: at most 1 entry per selector, as in Tetragon: put the values in one entry',
  ]);
});

test('a policy that names no file to watch is an error', () => {
  const postfixOnly = HEAD.replace('operator: Equal', 'operator: Postfix').replace('["/srv/decoy"]', '[".bashrc"]');
  assert.deepEqual(errorsOf(postfixOnly), [
    'p.yaml:6:3: spec: watches no file: the sensor marks files and directories, so a selector needs matchArgs Equal or Prefix on the file argument (Postfix and Not operators cannot name a file to watch)',
  ]);
});

test("warnings: selectors that cannot match or only see other selectors' files, ignored fields", () => {
  const neverMatches = withSelectorLines('- index: 1', '  operator: Equal', '  values: ["1"]');
  const second = '    - matchBinaries:\n      - operator: In\n        values: ["/usr/bin/vim"]\n';
  const { errors, warnings } = problems(`${HEAD.replace('    syscall: false', '    syscall: false\n    return: true')}${second}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, [
    'p.yaml:9:13: spec.kprobes[0].return: warning: the sensor reports accesses before they complete: return values are not observed',
    'p.yaml:20:7: spec.kprobes[0].selectors[1]: warning: names no file (no Equal or Prefix on the file argument): it only sees accesses to the files the other selectors watch',
  ]);
  assert.deepEqual(problems(neverMatches).warnings.length, 1);
  assert.match(problems(neverMatches).warnings[0]!, /^p\.yaml:15:7: spec\.kprobes\[0\]\.selectors\[0\]: warning: can never match/);
});
