import type { UnfoldEvent } from '@unfold/protocol';
import { useMemo, useRef } from 'react';
import { RunModelBuilder, type RunModel } from './run-model.js';

/** The run model of the events shown, extended as events arrive (replays and resyncs start over). */
export function useRunModel(events: readonly UnfoldEvent[]): RunModel {
  const builder = useRef<RunModelBuilder | undefined>(undefined);
  builder.current ??= new RunModelBuilder();
  const current = builder.current;
  return useMemo(() => current.build(events), [current, events]);
}
