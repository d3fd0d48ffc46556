import { type ErrorCode, httpStatusFor } from './error-codes.js';

const marker = 'unfold.error';
const symbol = Symbol.for(marker);

/**
 * The one error class that crosses package boundaries. `isInstance` checks a marker
 * symbol rather than `instanceof`, so it holds across duplicated package copies and realms.
 */
export class UnfoldError extends Error {
  private readonly [symbol] = true;
  override readonly name = 'UnfoldError';
  readonly code: ErrorCode;
  /** Transient errors are worth retrying (network blips, timeouts of an upstream). */
  readonly transient: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { transient?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.transient = options.transient ?? false;
    this.details = options.details;
  }

  get httpStatus(): number {
    return httpStatusFor(this.code);
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static isInstance(error: unknown): error is UnfoldError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }
}

/** The JSON body of every error answer: `{"code": "...", "message": "..."}`. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
