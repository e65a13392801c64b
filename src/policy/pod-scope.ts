/**
 * Tetragon's pod scoping: a TracingPolicyNamespaced applies only to pods in its namespace;
 * spec.podSelector (a Kubernetes label selector over the pod's labels) and spec.containerSelector
 * (a label selector whose one key, "name", is the container's name) narrow a policy further. A
 * pod-scoped policy never applies to a host process, and its paths are the paths a process in the
 * container uses.
 */
import type { PodInfo } from '../core/file-event.js';
import type { Cursor } from './reader.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: SelectorOperator; values: string[] }[];
}

export interface PodScope {
  namespace?: string;
  podSelector?: LabelSelector;
  containerSelector?: LabelSelector;
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Kubernetes semantics: every matchLabels pair and every expression must hold; {} selects all. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  return selector.matchExpressions.every((e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && e.values.includes(labels[e.key]!);
      case 'NotIn':
        return !has || !e.values.includes(labels[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
    // Operators are checked when the policy is read; one not known here selects nothing.
    return false;
  });
}

export function isPodScoped(scope: PodScope): boolean {
  return scope.namespace !== undefined || scope.podSelector !== undefined || scope.containerSelector !== undefined;
}

/** Whether a policy with this scope applies to a process in `pod` (undefined: a host process). */
export function scopeApplies(scope: PodScope, pod: PodInfo | undefined): boolean {
  if (!isPodScoped(scope)) return true;
  // Without the runtime's answer a pod's namespace and labels are unknown: nothing can match.
  if (!pod?.name) return false;
  if (scope.namespace !== undefined && pod.namespace !== scope.namespace) return false;
  if (scope.podSelector && !selectorMatches(scope.podSelector, pod.labels)) return false;
  if (scope.containerSelector && !selectorMatches(scope.containerSelector, { name: pod.container.name })) return false;
  return true;
}

/** Reads a label selector; problems go to the cursor's context. */
export function readLabelSelector(at: Cursor): LabelSelector | undefined {
  const fields = at.fields(['matchLabels', 'matchExpressions']);
  if (!fields) return undefined;
  const matchLabels = fields.get('matchLabels').stringMap();
  const matchExpressions: LabelSelector['matchExpressions'] = [];
  for (const item of fields.get('matchExpressions').items() ?? []) {
    const expr = item.fields(['key', 'operator', 'values']);
    const key = expr?.require('key')?.string();
    const operatorAt = expr?.require('operator');
    const operator = operatorAt?.string();
    if (!expr || key === undefined || operator === undefined) continue;
    if (!OPERATORS.includes(operator as SelectorOperator)) {
      operatorAt!.error(`unknown operator ${JSON.stringify(operator)}; expected ${OPERATORS.join(', ')}`);
      continue;
    }
    const values = (expr.get('values').items() ?? []).map((v) => v.text()).filter((v): v is string => v !== undefined);
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) expr.get('values').error(`${operator} needs at least one value`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) expr.get('values').error(`${operator} takes no values`);
    matchExpressions.push({ key, operator: operator as SelectorOperator, values });
  }
  if (!matchLabels) return undefined;
  return { matchLabels, matchExpressions };
}
