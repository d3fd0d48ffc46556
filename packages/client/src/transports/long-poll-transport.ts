import { UnfoldError, type PollResponse, type ResyncFrame, type UnfoldEvent } from '@unfold/protocol';
import { errorFromResponse } from '../http-api.js';
import { onceEnd, type Transport } from './transport.js';

const WAIT_SECONDS = 25;

/** Repeated `GET …/events?after=n&wait=s`: works through any proxy that passes plain requests. */
export const longPollTransport: Transport = {
  name: 'long-poll',
  open(request, rawSink) {
    const sink = onceEnd(rawSink);
    const controller = new AbortController();
    void (async () => {
      let after = request.after;
      let connected = false;
      try {
        for (;;) {
          const url = new URL(request.url);
          url.searchParams.set('after', String(after));
          url.searchParams.set('wait', String(connected ? WAIT_SECONDS : 0));
          const response = await request.fetch(url, { headers: { accept: 'application/json', ...request.headers }, signal: controller.signal });
          if (response.status === 410) {
            const body = (await response.json()) as { resync: ResyncFrame };
            sink.frame(body.resync);
            return sink.end({});
          }
          if (!response.ok) return sink.end({ error: await errorFromResponse(response) });
          const poll = (await response.json()) as PollResponse;
          if (!connected) {
            connected = true;
            sink.frame({ event_type: 'connected', transport: 'long-poll', epoch: poll.epoch, run_id: poll.run_id });
          }
          for (const event of poll.events) sink.frame(event as UnfoldEvent);
          after = poll.last_seq;
          if (poll.done) return sink.end({});
        }
      } catch (error) {
        if (controller.signal.aborted) return sink.end({});
        sink.end({ error: new UnfoldError('server_busy', `long-poll broke: ${(error as Error).message}`, { transient: true, cause: error }) });
      }
    })();
    return { close: () => controller.abort() };
  },
};
