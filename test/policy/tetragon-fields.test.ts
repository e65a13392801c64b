/**
 * Fields of Tetragon's TracingPolicy kprobe schema the sensor cannot honour: a warning where
 * ignoring them hides no event and weakens no enforcement, an error where it would.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadPolicyText } from '../../src/policy/index.js';
import { fixture } from './helpers.js';

const text = readFileSync(fixture('tetragon-kprobe-fields.yaml'), 'utf8');

test('return, returnArg (every KProbeArg field), returnArgAction: Post, message, tags and ignore load with warnings', () => {
  const result = loadPolicyText('fields.yaml', text);
  assert.deepEqual(
    result.errors.map((e) => e.format()),
    [],
  );
  assert.deepEqual(
    result.warnings.map((w) => w.field),
    ['spec.kprobes[0].return', 'spec.kprobes[0].returnArg', 'spec.kprobes[0].returnArgAction'],
  );
  const [policy] = result.policies;
  assert.equal(policy?.hooks[0]?.message, 'sensitive file read');
  assert.deepEqual(policy?.hooks[0]?.tags, ['observability.filesystem', 'observability.process']);
});

test('socket-tracking return actions are errors: ignoring them would drop enforcement', () => {
  for (const action of ['TrackSock', 'UntrackSock']) {
    const result = loadPolicyText('fields.yaml', text.replace('returnArgAction: "Post"', `returnArgAction: "${action}"`));
    assert.deepEqual(
      result.errors.map((e) => e.field),
      ['spec.kprobes[0].returnArgAction'],
      action,
    );
    assert.equal(result.policies.length, 0);
  }
  const unknown = loadPolicyText('fields.yaml', text.replace('returnArgAction: "Post"', 'returnArgAction: "Postt"'));
  assert.match(unknown.errors[0]?.message ?? '', /unknown return action "Postt"/);
});
