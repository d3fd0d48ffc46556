import type { CustomEvent } from '@unfold/protocol';
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { oneLineJson, prettyJson } from './json-text.js';

/** The latest this many are rendered: a pipeline may stream thousands, and the Events list below holds them all. */
const MAX_CUSTOM_EVENTS_SHOWN = 100;
/** A payload whose JSON is at most this many lines and characters starts open; a larger one starts folded. */
const OPEN_UP_TO_LINES = 12;
const OPEN_UP_TO_CHARS = 600;
/** How near the bottom (px) the list counts as following the newest event. */
const FOLLOW_SLACK = 40;

/**
 * The `data-*` events of any pipeline, in order as they stream, each with its type and its
 * data as JSON. Text only: a payload is never read as HTML.
 */
export function CustomEventsView({ events }: { events: readonly CustomEvent[] }) {
  const shown = events.length > MAX_CUSTOM_EVENTS_SHOWN ? events.slice(-MAX_CUSTOM_EVENTS_SHOWN) : events;
  const list = useRef<HTMLOListElement>(null);
  // Like a log, the list keeps the newest event in sight, unless the person scrolled up to read.
  const following = useRef(true);
  useLayoutEffect(() => {
    if (list.current && following.current) list.current.scrollTop = list.current.scrollHeight;
  }, [events.length]);
  return (
    <section className="panel custom-events" aria-labelledby="custom-events-title">
      <div className="panel-head">
        <h2 id="custom-events-title">Data events</h2>
        <span className="muted" data-testid="custom-event-count">
          {events.length} data-* events
        </span>
      </div>
      {shown.length < events.length && (
        <p className="notice" data-testid="custom-events-capped">
          Showing the latest {shown.length} of {events.length}; every event is in the Events list below.
        </p>
      )}
      <ol
        ref={list}
        className="custom-event-list"
        aria-label="Data events"
        onScroll={(scrolled) => {
          const element = scrolled.currentTarget;
          following.current = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_SLACK;
        }}
      >
        {shown.map((event) => (
          <CustomEventItem key={event.seq} event={event} />
        ))}
      </ol>
    </section>
  );
}

// Memoised on the event object, which never changes: a new event renders one row, not all of them.
const CustomEventItem = memo(function CustomEventItem({ event }: { event: CustomEvent }) {
  const json = useMemo(() => prettyJson(event.data), [event.data]);
  const [open, setOpen] = useState(() => json.text.length <= OPEN_UP_TO_CHARS && json.text.split('\n').length <= OPEN_UP_TO_LINES);
  return (
    <li className="custom-event" data-testid="custom-event" data-type={event.event_type} data-seq={event.seq}>
      <details open={open} onToggle={(toggled) => setOpen(toggled.currentTarget.open)}>
        <summary>
          <span className="seq">#{event.seq}</span>
          <span className="event-type">{event.event_type}</span>
          {!open && <span className="event-brief">{oneLineJson(event.data)}</span>}
        </summary>
        {open && (
          <pre className="event-json">
            {json.text}
            {json.omitted > 0 && <span className="cut">{`\n… ${json.omitted.toLocaleString()} more characters not shown here; all of it is in event #${event.seq} of the Events list`}</span>}
          </pre>
        )}
      </details>
    </li>
  );
});
