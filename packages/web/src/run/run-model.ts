import { isCustomEventType, type CustomEvent, type EventOf, type RunStatus, type UnfoldEvent } from '@unfold/protocol';

export type ToolStatus = 'started' | 'running' | 'completed' | 'failed' | 'retrying' | 'skipped';

export interface ToolState {
  name: string;
  status: ToolStatus;
  /** 0–100. */
  progress: number;
  message: string | undefined;
  attempt: number;
  durationMs: number | undefined;
  error: string | undefined;
  optional: boolean;
}

export type ReceiptWord = EventOf<'receipt_words'>['words'][number];
export type LabeledField = EventOf<'field_labeled'>;

export interface RunModel {
  status: RunStatus | 'unknown';
  tools: ToolState[];
  /** Receipts. */
  words: ReceiptWord[] | undefined;
  fields: LabeledField[];
  /** word_id → the field that labelled it (the latest one wins). */
  labelByWord: Map<number, LabeledField>;
  lineItems: Array<EventOf<'line_item_found'>>;
  validations: Array<EventOf<'validation_result'>>;
  /** Emails. */
  tokens: string;
  extracted: Map<string, { value: unknown; seq: number }>;
  research: EventOf<'research_result'> | undefined;
  records: Array<EventOf<'record_created'>>;
  /** The `data-*` events of any pipeline, the user's included, in seq order. */
  customEvents: CustomEvent[];
  terminal: EventOf<'processing_completed'> | EventOf<'processing_failed'> | EventOf<'processing_cancelled'> | undefined;
  /** Every event type seen, for the event list's filter. */
  eventTypes: Set<string>;
  /** The first place the events are not seq 1, 2, 3 …: a gap or a duplicate; none when gapless. */
  firstGap: { position: number; seq: number } | undefined;
}

const TERMINAL_STATUS = { processing_completed: 'completed', processing_failed: 'failed', processing_cancelled: 'cancelled' } as const;

function emptyModel(): RunModel {
  return {
    status: 'unknown',
    tools: [],
    words: undefined,
    fields: [],
    labelByWord: new Map(),
    lineItems: [],
    validations: [],
    tokens: '',
    extracted: new Map(),
    research: undefined,
    records: [],
    customEvents: [],
    terminal: undefined,
    eventTypes: new Set(),
    firstGap: undefined,
  };
}

/**
 * What a run page shows, from the run's events alone: the same builder gives the live
 * view and a replay. It applies only the events it has not seen, so a live run with
 * tens of thousands of events costs each render the new events, not all of them.
 */
export class RunModelBuilder {
  private model = emptyModel();
  private readonly tools = new Map<string, ToolState>();
  private applied: readonly UnfoldEvent[] = [];

  /** The model of `events`, extending the last one when `events` continues it. */
  build(events: readonly UnfoldEvent[]): RunModel {
    const continues = events.length >= this.applied.length && (this.applied.length === 0 || events[this.applied.length - 1] === this.applied.at(-1));
    if (!continues) {
      this.model = emptyModel();
      this.tools.clear();
      this.applied = [];
    }
    for (let index = this.applied.length; index < events.length; index++) this.apply(events[index] as UnfoldEvent, index);
    this.applied = events;
    this.model.tools = [...this.tools.values()].map((tool) => ({ ...tool }));
    // A new object per build: React sees the change; the collections inside are shared.
    return { ...this.model };
  }

  private tool(name: string): ToolState {
    let state = this.tools.get(name);
    if (!state) {
      state = { name, status: 'started', progress: 0, message: undefined, attempt: 1, durationMs: undefined, error: undefined, optional: false };
      this.tools.set(name, state);
    }
    return state;
  }

  private apply(event: UnfoldEvent, index: number): void {
    const model = this.model;
    model.eventTypes.add(event.event_type);
    if (model.firstGap === undefined && event.seq !== index + 1) model.firstGap = { position: index + 1, seq: event.seq };
    switch (event.event_type) {
      case 'processing_started':
        model.status = 'running';
        break;
      case 'processing_completed':
      case 'processing_failed':
      case 'processing_cancelled':
        model.status = TERMINAL_STATUS[event.event_type];
        model.terminal = event;
        break;
      case 'tool_started':
        Object.assign(this.tool(event.tool_name), { status: 'started', attempt: event.attempt, progress: 0, error: undefined });
        break;
      case 'tool_progress':
        Object.assign(this.tool(event.tool_name), { status: 'running', progress: event.progress, message: event.message });
        break;
      case 'tool_completed':
        Object.assign(this.tool(event.tool_name), { status: 'completed', progress: 100, durationMs: event.duration_ms });
        break;
      case 'tool_failed':
        Object.assign(this.tool(event.tool_name), { status: 'failed', durationMs: event.duration_ms, error: event.error, optional: event.optional ?? false });
        break;
      case 'tool_retrying':
        Object.assign(this.tool(event.tool_name), { status: 'retrying', attempt: event.attempt, error: event.error });
        break;
      case 'tool_skipped':
        Object.assign(this.tool(event.tool_name), { status: 'skipped', message: event.reason });
        break;
      case 'receipt_words':
        model.words = event.words;
        break;
      case 'field_labeled':
        model.fields.push(event);
        for (const wordId of event.word_ids) model.labelByWord.set(wordId, event);
        break;
      case 'line_item_found':
        model.lineItems.push(event);
        break;
      case 'validation_result':
        model.validations.push(event);
        break;
      case 'extraction_token':
        model.tokens += event.delta;
        break;
      case 'extraction_field':
        model.extracted.set(event.field_name, { value: event.value, seq: event.seq });
        break;
      case 'research_result':
        model.research = event;
        break;
      case 'record_created':
        model.records.push(event);
        break;
      default:
        if (isCustomEventType(event.event_type)) model.customEvents.push(event as CustomEvent);
        break;
    }
  }
}

/** The model of a list of events, from scratch. */
export function reduceRun(events: readonly UnfoldEvent[]): RunModel {
  return new RunModelBuilder().build(events);
}

/** A stable colour per field label, so one label looks the same on every receipt. */
export function labelColour(label: string): string {
  let hash = 0;
  for (const character of label) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 45%)`;
}
