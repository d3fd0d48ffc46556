import { isCustomEventType, type CustomEvent, type UnfoldEvent } from '@unfold/protocol';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** Columns assumed when the terminal does not say. */
const DEFAULT_WIDTH = 100;

/** A custom event as one terminal line: its type and its data as JSON, cut to `width` so the line never wraps under the bars. */
export function customEventLine(event: CustomEvent, width: number): string {
  const line = `  ${event.event_type} ${JSON.stringify(event.data) ?? ''}`;
  return line.length > width ? `${line.slice(0, Math.max(width - 1, 0))}…` : line;
}

/**
 * A progress bar per tool on a terminal. Bars appear when a tool starts, in the order
 * the tools started, and end with the tool's outcome; what the pipeline finds (fields,
 * checks, any pipeline's data-* events) is written above them as it streams.
 */
export class ProgressView {
  private readonly bars = new Map<string, SingleBar>();
  private readonly multibar: MultiBar;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.multibar = new MultiBar(
      {
        format: ' {bar} {percentage}% | {tool} | {message}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        stream,
        forceRedraw: true,
      },
      Presets.shades_classic,
    );
  }

  handle(event: UnfoldEvent): void {
    switch (event.event_type) {
      case 'tool_started':
        this.bar(event.tool_name).update(0, { message: event.attempt > 1 ? `attempt ${event.attempt}` : 'started' });
        return;
      case 'tool_progress':
        this.bar(event.tool_name).update(event.progress, { message: event.message ?? '' });
        return;
      case 'tool_completed':
        this.bar(event.tool_name).update(100, { message: `done in ${Math.round(event.duration_ms)} ms` });
        return;
      case 'tool_retrying':
        this.bar(event.tool_name).update(0, { message: `retrying in ${event.delay_ms} ms: ${event.error}` });
        return;
      case 'tool_failed':
        this.bar(event.tool_name).update({ message: `FAILED (${event.code}): ${event.error}${event.optional ? ' — optional, run goes on' : ''}` });
        return;
      case 'tool_skipped':
        this.bar(event.tool_name).update(100, { message: `skipped: ${event.reason}` });
        return;
      case 'field_labeled':
        this.multibar.log(`  ${event.field_name} = ${event.value}  (${Math.round(event.confidence * 100)}%)\n`);
        return;
      case 'validation_result':
        this.multibar.log(`  ${event.passed ? 'ok ' : 'BAD'} ${event.rule}: ${event.message}\n`);
        return;
      default:
        if (isCustomEventType(event.event_type)) this.multibar.log(`${customEventLine(event as CustomEvent, this.stream.columns || DEFAULT_WIDTH)}\n`);
        return;
    }
  }

  stop(): void {
    // cli-progress writes logged lines on a redraw only, and stop does not redraw: the lines
    // logged since the last one (often the run's last events) would be lost without this.
    this.multibar.update();
    this.multibar.stop();
  }

  private bar(tool: string): SingleBar {
    let bar = this.bars.get(tool);
    if (!bar) {
      bar = this.multibar.create(100, 0, { tool: tool.padEnd(22), message: '' });
      this.bars.set(tool, bar);
    }
    return bar;
  }
}
