import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isTokenIdShape } from '../../core/ids.js';
import type { AlertService } from '../../alerts/alert-service.js';
import { MAX_PAGE_SIZE } from '../../store/paging.js';
import { DELIVERY_STATES } from '../../store/repositories/deliveries.js';
import { rowId } from './channels.js';
import { parseInput } from './validate.js';

export interface AlertRoutesOptions {
  alerts: AlertService;
}

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().max(512).optional(),
});

const alertQuery = pageQuery
  .extend({ tokenId: z.string().max(64).optional() })
  .strict()
  .refine((q) => q.tokenId === undefined || isTokenIdShape(q.tokenId.toLowerCase()), { message: 'is not a token id', path: ['tokenId'] });

const deliveryQuery = pageQuery.extend({ state: z.enum(DELIVERY_STATES as [string, ...string[]]).optional(), alertId: z.string().max(64).optional() }).strict();

export async function alertRoutes(app: FastifyInstance, { alerts }: AlertRoutesOptions): Promise<void> {
  app.get('/alerts', async (request) => {
    const query = parseInput(alertQuery, request.query, 'query');
    return alerts.list({ limit: query.limit, cursor: query.cursor, tokenId: query.tokenId?.toLowerCase() });
  });

  app.get('/alerts/:id', async (request) => alerts.get(rowId('alert', request.params)));

  app.get('/deliveries', async (request) => {
    const query = parseInput(deliveryQuery, request.query, 'query');
    return alerts.listDeliveries({
      limit: query.limit,
      cursor: query.cursor,
      state: query.state as (typeof DELIVERY_STATES)[number] | undefined,
      alertId: query.alertId?.toLowerCase(),
    });
  });

  app.get('/deliveries/:id', async (request) => alerts.getDelivery(rowId('delivery', request.params)));

  app.post('/deliveries/:id/retry', async (request) => alerts.retry(rowId('delivery', request.params)));
}
