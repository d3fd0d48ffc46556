import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';
import { createRunFor } from './run-creator.js';
import { runParamsSchema } from './runs-routes.js';

const paramsSchema = z.object({ receipt_id: runParamsSchema.shape.id });

/**
 * Seed 000's `POST /api/label-receipt/{receipt_id}`: the run id is the receipt id, so a
 * client that connected `WS /ws/receipt/{receipt_id}` first receives the run from seq 1.
 */
export function registerSeedReceiptRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.post('/api/label-receipt/:receipt_id', async (request) => {
    const { receipt_id } = parseRequest(paramsSchema, request.params);
    await createRunFor(context, request, { ...context.seedReceipt(request.body ?? {}), run_id: receipt_id, metadata: { receipt_id } });
    return { receipt_id, status: 'processing', websocket_url: `/ws/receipt/${receipt_id}` };
  });
}
