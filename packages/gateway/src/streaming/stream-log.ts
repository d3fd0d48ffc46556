import type { Store } from '@unfold/engine';
import type { FastifyBaseLogger } from 'fastify';
import type { StreamTransport } from './stream-observer.js';

export type StreamHappening = 'subscribe' | 'resume' | 'resync' | 'slow_consumer';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id in a run's stored `traceparent`, so a stream's log lines join the run's trace. */
export function traceIdOf(traceContext: Record<string, string> | undefined): string | undefined {
  // Stryker disable next-line StringLiteral: equivalent, any string that is not a traceparent matches nothing
  return TRACEPARENT.exec(traceContext?.['traceparent'] ?? '')?.[1];
}

/**
 * Log lines for what happens to a subscription (streams have no span of their own): each
 * carries the run id, the transport and, once the run record is read, the run's trace id.
 * A cut-off is the client's doing, so it logs at warn, never error.
 */
export class StreamLog {
  /** Trace ids once found; a run not created yet (subscribe before start) is looked up again later. */
  private readonly traceIds = new Map<string, string>();

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly store: Store,
    private readonly transport: StreamTransport,
  ) {}

  happened(happening: StreamHappening, runId: string): void {
    const known = this.traceIds.get(runId);
    // Stryker disable next-line ConditionalExpression: equivalent, the cache saves a read of the run; reading again writes the same line
    if (known !== undefined) return this.write(happening, runId, known);
    void this.readTraceId(runId).then((traceId) => {
      if (traceId !== undefined) this.traceIds.set(runId, traceId);
      this.write(happening, runId, traceId);
    });
  }

  private write(happening: StreamHappening, runId: string, traceId: string | undefined): void {
    // Stryker disable next-line ConditionalExpression: equivalent, pino leaves out a field whose value is undefined
    const line = { run_id: runId, transport: this.transport, ...(traceId !== undefined ? { trace_id: traceId } : {}) };
    if (happening === 'slow_consumer') this.log.warn(line, 'stream slow_consumer cut-off');
    else this.log.info(line, `stream ${happening}`);
  }

  private async readTraceId(runId: string): Promise<string | undefined> {
    // A log line never fails a stream: a store that cannot answer leaves the trace id out.
    const run = await this.store.runs.get(runId).catch(() => undefined);
    return traceIdOf(run?.trace_context);
  }
}
