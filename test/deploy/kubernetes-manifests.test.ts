/**
 * Every manifest under deploy/kubernetes/ validates against the Kubernetes OpenAPI schemas, as
 * compiled into the kubernetes-models package (Kubernetes 1.27; the schemas check types, required
 * fields and formats, not unknown keys, which OpenAPI leaves open). The agent DaemonSet asks for
 * exactly the privileges docs/kubernetes.md explains, and no more. No cluster here: the schemas
 * are the documented wire format.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes');

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1 DaemonSet': DaemonSet,
  'apps/v1 Deployment': Deployment,
  'v1 ConfigMap': ConfigMap,
  'v1 Namespace': Namespace,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
};

function manifests(): { file: string; doc: any }[] {
  const out: { file: string; doc: any }[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
      const value = doc.toJS();
      if (value) out.push({ file, doc: value });
    }
  }
  return out;
}

test('every manifest validates against the Kubernetes OpenAPI schema of its kind', () => {
  const all = manifests();
  assert.ok(all.length >= 8, `found ${all.length} documents`);
  for (const { file, doc } of all) {
    const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
    assert.ok(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc.kind} ${doc.metadata?.name}`);
  }
});

test('the schemas do catch a wrong manifest (so the test above means something)', () => {
  const agent = manifests().find((m) => m.doc.kind === 'DaemonSet')!.doc;
  const broken = structuredClone(agent);
  broken.spec.template.spec.containers[0].securityContext.capabilities.add = 'SYS_ADMIN';
  assert.throws(() => new DaemonSet(broken).validate(), /capabilities\/add must be array/);
});

const AGENT_CAPABILITIES = ['SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'DAC_OVERRIDE', 'CHOWN', 'FOWNER', 'KILL', 'SYS_NICE'];

test('the agent DaemonSet has the minimum privileges, each explained in docs/kubernetes.md', () => {
  const ds = manifests().find((m) => m.doc.kind === 'DaemonSet')!.doc;
  const pod = ds.spec.template.spec;
  assert.equal(pod.hostPID, true);
  assert.equal(pod.hostNetwork, undefined);
  assert.equal(pod.hostIPC, undefined);
  assert.equal(pod.automountServiceAccountToken, false);
  const [agent] = pod.containers;
  const sc = agent.securityContext;
  assert.notEqual(sc.privileged, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.deepEqual([...sc.capabilities.add].sort(), [...AGENT_CAPABILITIES].sort());
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'kubernetes.md'), 'utf8');
  for (const cap of [...AGENT_CAPABILITIES, 'hostPID'])
    assert.ok(doc.includes(`| \`${cap}`) || doc.includes(`\`${cap}\``), `docs/kubernetes.md does not explain ${cap}`);
  const nodeName = agent.env.find((e: any) => e.name === 'TRIPLINE_NODE_NAME');
  assert.equal(nodeName.valueFrom.fieldRef.fieldPath, 'spec.nodeName');
  assert.ok(agent.args.some((a: string) => a.startsWith('--cri-socket=')));
  assert.equal(pod.volumes.find((v: any) => v.name === 'policies').configMap.name, 'tripline-policies');
  assert.equal(agent.env.find((e: any) => e.name === 'TRIPLINE_AGENT_KEY').valueFrom.secretKeyRef.name, 'tripline-agent');
});

test('the server has one Service per listener', () => {
  const services = manifests()
    .filter((m) => m.doc.kind === 'Service')
    .map((m) => m.doc.spec.ports.map((p: any) => p.targetPort).join());
  assert.deepEqual(services.sort(), ['admin', 'trigger']);
});
