import type { FileAccess } from '../core/file-event.js';
import type { PodScope } from './pod-scope.js';

/** A TracingPolicy as read and checked: names are canonical, defaults applied. */

export const API_VERSION = 'cilium.io/v1alpha1';
export const POLICY_KINDS = ['TracingPolicy', 'TracingPolicyNamespaced'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export type PolicyMode = 'enforce' | 'monitor';

/** Label naming the token a generated policy reports for. */
export const TOKEN_LABEL = 'tripline/token';

/** Where something was written, so checks made after reading can still point at it. */
export interface SourcePos {
  line: number;
  column: number;
}

export type ArgType = 'file' | 'path' | 'fd' | 'int' | 'uint32' | 'nop';

export interface ArgSpec {
  /** The kernel function's argument position (Tetragon's `index`). */
  index: number;
  type: ArgType;
  label?: string;
}

export type ArgOperator = 'Equal' | 'NotEqual' | 'Prefix' | 'NotPrefix' | 'Postfix' | 'NotPostfix' | 'Mask';

export interface ArgFilter {
  /** Refers to the args entry with this `index`, as Tetragon resolves it. */
  index: number;
  operator: ArgOperator;
  /** As written; for integer arguments `numbers` holds them parsed. */
  values: string[];
  numbers: number[];
}

export type BinaryOperator = 'In' | 'NotIn' | 'Prefix' | 'NotPrefix' | 'Postfix' | 'NotPostfix';

export interface BinaryFilter {
  operator: BinaryOperator;
  values: string[];
  followChildren: boolean;
}

export interface PidFilter {
  operator: 'In' | 'NotIn';
  values: number[];
  isNamespacePID: boolean;
  followForks: boolean;
}

export type RateLimitScope = 'thread' | 'process' | 'global';

export type Action =
  | { action: 'Post'; rateLimit?: string; rateLimitMs?: number; rateLimitScope: RateLimitScope }
  | { action: 'NoPost' }
  | { action: 'GetUrl'; argUrl: string }
  | { action: 'DnsLookup'; argFqdn: string }
  | { action: 'Sigkill' }
  | { action: 'Override'; argError: number }
  | { action: 'Signal'; argSig: number };

export type ActionName = Action['action'];

/** Actions that change what happens to the process; monitor mode drops them. */
export const ENFORCING_ACTIONS: readonly ActionName[] = ['Sigkill', 'Override', 'Signal'];

export interface Selector {
  matchArgs: ArgFilter[];
  matchBinaries: BinaryFilter[];
  matchParentBinaries: BinaryFilter[];
  matchPIDs: PidFilter[];
  /** As written; empty means Post, as in Tetragon. */
  matchActions: Action[];
  field: string;
  pos: SourcePos;
}

export interface HookSpec {
  kind: 'kprobe' | 'lsmhook';
  /** Kernel function (kprobe `call`) or LSM hook name: the exported `function_name`. */
  call: string;
  /** Tetragon's default is true; kept for export, it changes nothing for the sensor. */
  syscall: boolean;
  args: ArgSpec[];
  selectors: Selector[];
  message?: string;
  tags: string[];
  /** Field path of this hook in its file, e.g. `spec.kprobes[0]`. */
  field: string;
  pos: SourcePos;
  /** Accesses of the sensor this hook corresponds to. */
  accesses: readonly FileAccess[];
}

export interface PolicySpec {
  kind: PolicyKind;
  name: string;
  namespace?: string;
  /** metadata.labels; Tripline's generator records the token id here (TOKEN_LABEL). */
  labels: Record<string, string>;
  /** Which pods and containers the policy applies to (namespace, podSelector, containerSelector). */
  scope: PodScope;
  mode: PolicyMode;
  hooks: HookSpec[];
  file: string;
  /** Positions of metadata.name and of spec, to point at the policy as a whole. */
  pos: { name: SourcePos; spec: SourcePos };
}
