import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AgentRepository } from '../../store/repositories/agents.js';
import type { DecoyInventory } from '../decoy-inventory.js';
import { parseInput } from './validate.js';

const query = z.object({ token: z.string().max(64).optional(), agent: z.string().max(32).optional() }).strict();

/** The decoy inventory: every decoy agents reported, where, and whether it is still there. */
export async function decoyRoutes(app: FastifyInstance, { decoys, agents }: { decoys: DecoyInventory; agents: AgentRepository }): Promise<void> {
  app.get('/decoys', async (request) => {
    const { token, agent } = parseInput(query, request.query, 'query');
    const [items, known] = await Promise.all([
      decoys.repository.list({ ...(token ? { tokenId: token.toLowerCase() } : {}), ...(agent ? { agentId: agent.toLowerCase() } : {}) }),
      agents.list(),
    ]);
    const byId = new Map(known.map((a) => [a.id, a]));
    return {
      items: items.map((d) => ({ ...d, agent: byId.get(d.agentId)?.name ?? null, node: byId.get(d.agentId)?.enrolledNode ?? null })),
    };
  });
}
