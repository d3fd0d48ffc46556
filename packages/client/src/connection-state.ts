import type { TransportName } from '@unfold/protocol';

/** Where a run stream's connection is, as a person watching it needs to know. */
export type ConnectionState =
  | { status: 'connecting'; transport: TransportName | undefined }
  | { status: 'live'; transport: TransportName; resumed: boolean }
  | { status: 'reconnecting'; transport: TransportName | undefined; attempt: number; delayMs: number; error: Error }
  | { status: 'closed'; reason: 'completed' | 'closed' | 'failed'; error?: Error };
