import type { UnfoldEvent } from '@unfold/protocol';
import { useRef } from 'react';
import { reduceRun, type RunModel } from './run-model.js';

/**
 * The run model for the events shown, rebuilt only when they change: a live run adds one
 * event at a time, so the model of its first n events is kept and extended.
 */
export function useRunModel(events: readonly UnfoldEvent[]): RunModel {
  const cache = useRef<{ events: readonly UnfoldEvent[]; count: number; model: RunModel } | undefined>(undefined);
  const previous = cache.current;
  if (previous && previous.events === events && previous.count === events.length) return previous.model;
  // Replays and resyncs start over; live updates extend (reduceRun is linear, so a
  // 10,000-event run costs one pass per render, not a pass per event ever seen).
  const model = reduceRun(events);
  cache.current = { events, count: events.length, model };
  return model;
}
