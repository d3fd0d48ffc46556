import type { UnfoldEvent } from '@unfold/protocol';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/**
 * A progress bar per tool on a terminal. Bars appear when a tool starts, in the order
 * the tools started, and end with the tool's outcome.
 */
export class ProgressView {
  private readonly bars = new Map<string, SingleBar>();
  private readonly multibar = new MultiBar(
    {
      format: ' {bar} {percentage}% | {tool} | {message}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      stream: process.stderr,
      forceRedraw: true,
    },
    Presets.shades_classic,
  );

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
        return;
    }
  }

  stop(): void {
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
