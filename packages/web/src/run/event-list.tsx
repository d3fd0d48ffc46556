import { isCustomEventType, type CustomEvent, type UnfoldEvent } from '@unfold/protocol';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { oneLineJson } from './json-text.js';
import type { RunModel } from './run-model.js';

/** Every event, virtualised (a run may have tens of thousands), filterable by type, each expandable as JSON. */
export function EventList({ events, model }: { events: readonly UnfoldEvent[]; model: RunModel }) {
  const [type, setType] = useState('');
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const types = [...model.eventTypes].sort();
  const shown = useMemo(() => (type ? events.filter((event) => event.event_type === type) : events), [events, type]);
  // Whether the events are seq 1, 2, 3 … with none missing and none twice.
  const continuity = model.firstGap ? `not gapless: seq ${model.firstGap.seq} at position ${model.firstGap.position}` : 'gapless';
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => 30, overscan: 12 });
  const last = events.at(-1);

  return (
    <section className="panel events" aria-labelledby="events-title">
      <div className="panel-head">
        <h2 id="events-title">Events</h2>
        <span className="muted" data-testid="event-count">
          {events.length} events{last ? ` · seq 1–${last.seq} · ${continuity}` : ''}
        </span>
      </div>
      <label className="filters">
        Type
        <select value={type} onChange={(event) => setType(event.target.value)}>
          <option value="">all</option>
          {types.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <div ref={scroller} className="event-scroller" role="list" aria-label="Events" tabIndex={0}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const event = shown[item.index] as UnfoldEvent;
            const expanded = open.has(event.seq);
            return (
              <div key={event.seq} role="listitem" data-index={item.index} ref={virtualizer.measureElement} className="event-row" data-testid="event-row" data-seq={event.seq} style={{ transform: `translateY(${item.start}px)` }}>
                <button
                  type="button"
                  className="event-summary"
                  aria-expanded={expanded}
                  onClick={() => {
                    const next = new Set(open);
                    if (expanded) next.delete(event.seq);
                    else next.add(event.seq);
                    setOpen(next);
                  }}
                >
                  <span className="seq">#{event.seq}</span>
                  <span className="event-type">{event.event_type}</span>
                  <span className="event-brief">{brief(event)}</span>
                </button>
                {expanded && <pre className="event-json">{JSON.stringify(event, null, 2)}</pre>}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function brief(event: UnfoldEvent): string {
  switch (event.event_type) {
    case 'tool_started':
    case 'tool_completed':
    case 'tool_skipped':
      return event.tool_name;
    case 'tool_progress':
      return `${event.tool_name} ${event.progress}%${event.message ? ` ${event.message}` : ''}`;
    case 'tool_failed':
    case 'tool_retrying':
      return `${event.tool_name}: ${event.error}`;
    case 'field_labeled':
      return `${event.field_name} = ${event.value}`;
    case 'extraction_field':
      return `${event.field_name} = ${String(event.value)}`;
    case 'extraction_token':
      return JSON.stringify(event.delta);
    case 'validation_result':
      return `${event.passed ? '✓' : '✗'} ${event.rule}`;
    case 'record_created':
      return `${event.sink} ${event.record_type} ${event.record_id}`;
    case 'processing_failed':
      return event.error;
    default:
      return isCustomEventType(event.event_type) ? oneLineJson((event as CustomEvent).data) : '';
  }
}
