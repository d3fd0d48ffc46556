import type { EngineHooks, TraceIds } from '@unfold/engine';
import type { FastifyBaseLogger } from 'fastify';

/** One JSON line per event of interest in a run's life: start, a tool failing or retrying, the end (or an end before any start); each with its trace ids when sampled. */
export function runLog(log: FastifyBaseLogger): EngineHooks {
  const ids = (trace: TraceIds | undefined) => trace ?? {};
  return {
    runStarted(run, trace) {
      log.debug({ run_id: run.run_id, pipeline: run.pipeline, ...ids(trace) }, 'run started');
    },
    toolFinished(run, toolName, outcome, durationMs, trace) {
      if (outcome === 'completed') return;
      log.warn({ run_id: run.run_id, pipeline: run.pipeline, tool: toolName, outcome, duration_ms: Math.round(durationMs), ...ids(trace) }, `tool ${outcome}`);
    },
    runFinished(run, status, durationMs, trace) {
      const level = status === 'failed' ? 'warn' : 'info';
      log[level]({ run_id: run.run_id, pipeline: run.pipeline, status, duration_ms: durationMs, ...ids(trace) }, 'run finished');
    },
    runEndedBeforeStart(run, status) {
      log[status === 'failed' ? 'warn' : 'info']({ run_id: run.run_id, pipeline: run.pipeline, status }, 'run ended before it started');
    },
  };
}
