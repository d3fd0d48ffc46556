import { MAX_RUN_ID_LENGTH } from '@unfold/protocol';
import type { FastifyServerOptions } from 'fastify';
import { clientErrorHandler, frameworkErrorHandler } from './error-handler.js';

/**
 * Fastify's options for the error contract. Path parameters are run ids: any id the API
 * accepts fits even fully percent-encoded (three characters each), so it can always be read.
 */
export const errorContractOptions = {
  routerOptions: { maxParamLength: MAX_RUN_ID_LENGTH * 3 },
  frameworkErrors: frameworkErrorHandler,
  clientErrorHandler,
} satisfies Partial<FastifyServerOptions>;
