import { basename } from 'node:path';
import type { DecoyCopy, FileObservation, PodInfo, ProcessInfo } from '../../core/file-event.js';
import type { FileHitDetail } from '../../core/model/hit-detail.js';
import type { Fact, HitDescription } from '../../core/model/hit.js';
import { fact } from './fact.js';

function processLine(process: ProcessInfo): string {
  return [process.binary, ...process.arguments].join(' ');
}

function who(process: ProcessInfo): string {
  return `${basename(process.binary) || process.binary} (pid ${process.pid}, uid ${process.uid})`;
}

/** The one line a file hit keeps (hit lists, `tripline token hits`): who did what to which file. */
export function summarizeFileObservation(observation: FileObservation): string {
  if (observation.access) return `${who(observation.access.process)} ${observation.access.access} ${observation.access.path}`;
  const tamper = observation.tamper;
  if (!tamper) return '';
  return `decoy ${tamper.change.replace('_', ' ')}: ${tamper.path}${tamper.process ? ` by ${who(tamper.process)}` : ''}`;
}

/** The pod as people name it (namespace/name), then the container and the pod's labels; its uid is in the hit's detail. */
function podFacts(pod: PodInfo): Fact[] {
  const facts = [fact('Pod', pod.name ? `${pod.namespace}/${pod.name}` : `uid ${pod.uid}`)];
  if (pod.container.name) facts.push(fact('Container', `${pod.container.name} (${pod.container.image})`));
  const labels = Object.entries(pod.labels);
  if (labels.length > 0) facts.push(fact('Pod labels', labels.map(([k, v]) => `${k}=${v}`).join(', '), true));
  return facts;
}

/** Whose copy of a container decoy it was, as people name pods: "shop/web-7d9f (container web) /root/.ssh/id_rsa". */
export function decoyCopyLine(copy: DecoyCopy): string {
  const pod = copy.pod.name ? `${copy.pod.namespace}/${copy.pod.name}` : `pod uid ${copy.pod.uid}`;
  return `${pod}${copy.container.name ? ` (container ${copy.container.name})` : ''} ${copy.path}`;
}

/** An agent's report of a watched file being read, written or tampered with, with the process behind it. */
export function describeFileHit(detail: FileHitDetail): HitDescription {
  const facts: Fact[] = [];
  if (detail.summary) facts.push(fact('What', detail.summary));
  facts.push(fact('Host', detail.node));
  const { access, tamper } = detail;
  // The copy's owner comes before the accessor's pod: they differ when a host process or another
  // pod touched it, and then the copy is what tells whose secret is exposed.
  if (access?.decoyCopy) facts.push(fact('Decoy copy', decoyCopyLine(access.decoyCopy)));
  const pod = (access?.process ?? tamper?.process)?.pod;
  if (pod) facts.push(...podFacts(pod));
  if (access) facts.push(fact('File', access.path), fact('Access', access.access));
  else if (tamper) facts.push(fact('File', tamper.path), fact('Change', tamper.change));
  const process = access?.process ?? tamper?.process ?? null;
  if (process) {
    facts.push(fact('Process', processLine(process), true));
    facts.push(fact('PID / UID', `${process.pid} / ${process.uid}${process.auid !== null ? ` (login uid ${process.auid})` : ''}`));
    if (process.cwd) facts.push(fact('Working directory', process.cwd));
    if (process.containerId) facts.push(fact('Container id', process.containerId));
  }
  const parent = access?.parent;
  if (parent) facts.push(fact('Parent', `${processLine(parent)} (pid ${parent.pid})`, true));
  if (detail.policy) facts.push(fact('Policy', detail.policy));
  if (detail.actions.length > 0) facts.push(fact('Actions', detail.actions.join(', ')));
  return { summary: detail.summary, facts };
}
