// The policy engine's public surface: load and check TracingPolicy files, learn what to watch,
// match sensor events, rate-limit Posts, and generate policies for tokens.
export { PolicyError, type PolicySeverity } from './errors.js';
export {
  API_VERSION,
  ENFORCING_ACTIONS,
  POLICY_KINDS,
  TOKEN_LABEL,
  type Action,
  type ActionName,
  type ArgFilter,
  type ArgOperator,
  type ArgSpec,
  type ArgType,
  type BinaryFilter,
  type BinaryOperator,
  type HookSpec,
  type PidFilter,
  type PolicyKind,
  type PolicyMode,
  type PolicySpec,
  type RateLimitScope,
  type Selector,
  type SourcePos,
} from './model.js';
export { MAY_READ, MAY_WRITE, supportedHookNames } from './hooks.js';
export { loadPolicyFile, loadPolicyText, policyKey, type LoadResult } from './load.js';
export { compilePolicy, type CompiledPolicy, type CompileResult, type WatchTarget } from './compile.js';
export { withImplicitPost, type EvaluationContext, type Match, type MatchArg } from './evaluate.js';
export { PostRateLimiter, type RateLimiterOptions } from './rate-limit.js';
export { mergeTargets, PolicySet } from './policy-set.js';
export {
  CONTAINER_DECOY_KIND,
  decoyTargets,
  generateContainerDecoy,
  imageMatches,
  type ContainerDecoy,
  type ContainerDecoyOptions,
} from './container-decoy.js';
export { isPodScoped, scopeApplies, selectorMatches, type LabelSelector, type PodScope } from './pod-scope.js';
export { isPolicyFileName, listPolicyFiles, type PolicyFileEntry } from './policy-files.js';
export { policiesWatching, targetCovers } from './watching.js';
export { onlyMonitors } from './monitor-only.js';
export { namedTokenIds } from './token-ids.js';
export { checkPolicyFiles, type CheckResult, type PolicySummary } from './check.js';
export {
  GENERATE_ACTIONS,
  generatePolicy,
  type GenerateAccess,
  type GenerateAction,
  type GenerateOptions,
} from './generate.js';
