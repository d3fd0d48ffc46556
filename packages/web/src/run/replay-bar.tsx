import type { Replay } from './use-replay.js';

export function ReplayBar({ replay, total }: { replay: Replay; total: number }) {
  if (!replay.replaying) {
    return (
      <button type="button" className="secondary" onClick={replay.start}>
        ▶ Replay this run
      </button>
    );
  }
  return (
    <div className="replay" role="group" aria-label="Replay">
      <button type="button" onClick={replay.toggle} aria-label={replay.playing ? 'Pause' : 'Play'}>
        {replay.playing ? '❚❚' : '▶'}
      </button>
      <input type="range" min={0} max={total} value={replay.position} onChange={(event) => replay.seek(Number(event.target.value))} aria-label="Replay position" />
      <span className="muted">
        {replay.position} / {total}
      </span>
      <select value={replay.speed} onChange={(event) => replay.setSpeed(Number(event.target.value))} aria-label="Replay speed">
        {[0.5, 1, 2, 4, 10].map((speed) => (
          <option key={speed} value={speed}>
            {speed}×
          </option>
        ))}
      </select>
      <button type="button" className="secondary" onClick={replay.stop}>
        Back to live
      </button>
    </div>
  );
}
