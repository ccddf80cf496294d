import { AgentError } from '../errors.js';

/**
 * Sources stop with this error (code `aborted`) when the caller's signal aborts, rather than ending quietly:
 * a source that just stopped yielding would look complete, and figures computed from part of the records are wrong.
 */
export function sourceAbortedError(signal: AbortSignal | undefined): AgentError {
  return new AgentError('aborted', 'reading records was aborted', { cause: signal?.reason });
}

/** Throws `sourceAbortedError` when `signal` has aborted. */
export function throwIfSourceAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw sourceAbortedError(signal);
}
