import { createRequire } from 'node:module';

/** The package version, reported in heartbeats. src/agent and dist/agent sit at the same depth. */
export const AGENT_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
