import { MAX_JSON_DEPTH, UnfoldError } from '@unfold/protocol';
import type { FastifyInstance } from 'fastify';
import { exceedsJsonDepth } from './json-depth.js';

/**
 * JSON bodies as Fastify parses them (prototype-poisoning keys refused), but refused with
 * `json_too_deep` when nested deeper than MAX_JSON_DEPTH: checked on the text before
 * parsing, so no route, validator or store ever holds such a value.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (exceedsJsonDepth(body as string, MAX_JSON_DEPTH)) {
      done(new UnfoldError('json_too_deep', `the JSON body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}
