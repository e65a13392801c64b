import type { Migration } from 'kysely/migration';
import * as core from './001_core.js';
import * as alerts from './002_alerts.js';
import * as agents from './003_agents.js';
import * as keys from './004_keys.js';
import * as agentHits from './005_agent_hits.js';
import * as floods from './006_floods.js';
import * as rollups from './007_rollups.js';
import * as containerDecoys from './009_container_decoys.js';
import * as fleet from './010_fleet.js';
import * as tokenKeys from './011_token_keys.js';
import * as soc from './014_soc.js';
import * as tls from './015_tls.js';
import * as decoyCopies from './016_decoy_copies.js';

/**
 * Every migration, in order. Names sort; a released migration is never edited, only followed by a
 * new one. Kept in code (not read from a folder) so the built package carries them.
 */
export const migrations: Record<string, Migration> = {
  '001_core': core,
  '002_alerts': alerts,
  '003_agents': agents,
  '004_keys': keys,
  '005_agent_hits': agentHits,
  '006_floods': floods,
  '007_rollups': rollups,
  '009_container_decoys': containerDecoys,
  '010_fleet': fleet,
  '011_token_keys': tokenKeys,
  '014_soc': soc,
  '015_tls': tls,
  '016_decoy_copies': decoyCopies,
};
