/**
 * The URL of a module beside the calling one, for `new Worker(...)`: `.ts` when the caller runs
 * from source (tsx, whose loader the worker inherits through execArgv), `.js` when built.
 */
export function siblingModule(name: string, callerUrl: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}
