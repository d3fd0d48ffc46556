import { isTerminalEventType } from '@unfold/protocol';
import { parseNdjson, postJson, readStream, stored, type Frame } from '../raw-clients.js';

/** Starts a run under a chosen id; throws unless the server accepted it. */
export async function startRun(url: string, runId: string, pipeline: string, input: Record<string, unknown>): Promise<void> {
  const created = await postJson(`${url}/v1/runs`, { pipeline, run_id: runId, input });
  if (created.status !== 201) throw new Error(`run ${runId} refused: ${created.status} ${JSON.stringify(created.body)}`);
}

/** The run's stored events after `after`, read as NDJSON to its terminal event (the stream ends there). */
export async function eventsToTheEnd(url: string, runId: string, after = 0): Promise<Frame[]> {
  const { status, text } = await readStream(`${url}/v1/runs/${runId}/events?after=${after}`, 'application/x-ndjson');
  if (status !== 200) throw new Error(`events of ${runId}: ${status} ${text}`);
  return stored(parseNdjson(text));
}

/** The run's one terminal event; throws when the log holds none or more than one. */
export function terminalOf(events: Frame[]): Frame {
  const terminals = events.filter((event) => isTerminalEventType(event.event_type));
  if (terminals.length !== 1) throw new Error(`expected exactly one terminal event, got ${terminals.map((event) => event.event_type).join(',') || 'none'}`);
  return terminals[0] as Frame;
}
