import type { RunsFeedState } from '@unfold/client';
import type { RunResource, RunStatus } from '@unfold/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useClient } from '../client-context.js';
import { errorText } from '../error-text.js';

export interface RunsFilter {
  pipeline: string | undefined;
  status: RunStatus | undefined;
}

export type RunRow = Pick<RunResource, 'run_id' | 'pipeline' | 'status' | 'created_at'>;

const PAGE_SIZE = 20;

/**
 * The runs list: a page read over HTTP (newest first, filtered), kept live by the runs
 * feed on the multiplexed WebSocket — new runs appear on the first page, statuses change
 * in place — and read afresh whenever the feed (re)connects, so nothing missed stays missed.
 */
export function useRunsList(filter: RunsFilter) {
  const client = useClient();
  const [pages, setPages] = useState<Array<string | undefined>>([]); // cursors of the pages before this one
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<RunRow[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [feed, setFeed] = useState<RunsFeedState>('connecting');

  const load = useCallback(async () => {
    try {
      const page = await client.listRuns({ limit: PAGE_SIZE, ...(filter.pipeline ? { pipeline: filter.pipeline } : {}), ...(filter.status ? { status: filter.status } : {}), ...(cursor ? { cursor } : {}) });
      setRows(page.runs);
      setNextCursor(page.next_cursor);
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoading(false);
    }
  }, [client, filter.pipeline, filter.status, cursor]);

  useEffect(() => {
    setLoading(true);
    void load();
  }, [load]);

  useEffect(() => {
    const matches = (row: RunRow) => (!filter.pipeline || row.pipeline === filter.pipeline) && (!filter.status || row.status === filter.status);
    const subscription = client.watchRuns({
      state: setFeed,
      live: () => void load(),
      update(frame) {
        const row: RunRow = { run_id: frame.run_id, pipeline: frame.pipeline, status: frame.status, created_at: frame.created_at };
        setRows((current) => {
          const index = current.findIndex((existing) => existing.run_id === row.run_id);
          if (index >= 0) {
            const next = [...current];
            if (matches(row)) next[index] = row;
            else next.splice(index, 1); // its new status is filtered out
            return next;
          }
          // A new run belongs at the top of the first page.
          if (cursor !== undefined || !matches(row)) return current;
          return [row, ...current].slice(0, PAGE_SIZE);
        });
      },
    });
    return () => subscription.close();
  }, [client, load, filter.pipeline, filter.status, cursor]);

  return {
    rows,
    error,
    loading,
    feed,
    page: pages.length + 1,
    hasNext: nextCursor !== null,
    hasPrevious: pages.length > 0,
    next() {
      if (nextCursor === null) return;
      setPages([...pages, cursor]);
      setCursor(nextCursor);
    },
    previous() {
      setPages(pages.slice(0, -1));
      setCursor(pages.at(-1));
    },
    reset() {
      setPages([]);
      setCursor(undefined);
    },
  };
}
