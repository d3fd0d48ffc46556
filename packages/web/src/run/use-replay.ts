import type { UnfoldEvent } from '@unfold/protocol';
import { useEffect, useState } from 'react';

/** Longest pause a replay keeps between two events, so a slow tool does not stall it. */
const MAX_PAUSE_MS = 2_000;

export interface Replay {
  /** Events shown: all of them when not replaying. */
  position: number;
  replaying: boolean;
  playing: boolean;
  speed: number;
  start(): void;
  stop(): void;
  toggle(): void;
  seek(position: number): void;
  setSpeed(speed: number): void;
}

/** Scrub a finished run's events, or play them back at their recorded pace (× speed). */
export function useReplay(events: readonly UnfoldEvent[]): Replay {
  const [replaying, setReplaying] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(events.length);
  const [speed, setSpeed] = useState(1);

  useEffect(() => {
    if (!replaying || !playing) return;
    if (position >= events.length) {
      setPlaying(false);
      return;
    }
    const previous = events[position - 1];
    const next = events[position] as UnfoldEvent;
    const gap = previous ? Date.parse(next.timestamp) - Date.parse(previous.timestamp) : 0;
    const timer = setTimeout(() => setPosition(position + 1), Math.min(MAX_PAUSE_MS, Math.max(0, gap)) / speed);
    return () => clearTimeout(timer);
  }, [replaying, playing, position, events, speed]);

  return {
    position: replaying ? position : events.length,
    replaying,
    playing,
    speed,
    start() {
      setReplaying(true);
      setPosition(0);
      setPlaying(true);
    },
    stop() {
      setReplaying(false);
      setPlaying(false);
    },
    toggle() {
      if (position >= events.length) setPosition(0);
      setPlaying(!playing);
    },
    seek(to) {
      setPosition(Math.max(0, Math.min(events.length, to)));
    },
    setSpeed,
  };
}
