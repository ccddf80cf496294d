// @ts-check
/**
 * Fault injection for tests and demos: a queue of faults, each applied to the next submission request(s)
 * (an HTTP status with or without `Retry-After`, a delay, a dropped connection, a receipt lost after the
 * reports were stored).
 */
import { isObject } from '../support/json.mjs';

/**
 * @typedef {object} Fault  One injected fault, applied to the next submission request(s).
 * @property {number} [status]          answer with this HTTP status (and an OperationOutcome) instead of processing
 * @property {number} [retryAfter]      with `status`: a `Retry-After` header, in seconds
 * @property {number} [delayMs]         wait this long before doing anything else
 * @property {boolean} [drop]           destroy the connection without answering (nothing stored)
 * @property {boolean} [dropAfterStore] process and store normally, then destroy the connection: the client never sees the receipt
 * @property {number} [times]           apply this fault to this many consecutive requests (default 1)
 */

/**
 * The faults still to apply, in order.
 * @param {unknown[]} initial
 */
export function createFaultQueue(initial) {
  /** @type {Fault[]} */
  const faults = initial.map(checkFault);
  return {
    /** The queue itself (as `GET /_faults` shows it). */
    faults,
    /**
     * The fault for this request, if any (a fault with `times` > 1 stays at the head, one time less).
     * @returns {Fault | undefined}
     */
    next() {
      const head = faults[0];
      if (head === undefined) return undefined;
      if ((head.times ?? 1) > 1) {
        head.times = (head.times ?? 1) - 1;
        return { ...head, times: 1 };
      }
      faults.shift();
      return head;
    },
    /** @param {unknown[]} more */
    add(more) {
      faults.push(...more.map(checkFault));
    },
    clear() {
      faults.length = 0;
    },
    /** Requests that will still be faulted. */
    pending() {
      return faults.reduce((n, f) => n + (f.times ?? 1), 0);
    },
  };
}

/**
 * @param {unknown} value
 * @returns {Fault}
 */
export function checkFault(value) {
  if (!isObject(value)) throw new Error('A fault must be an object');
  const known = ['status', 'retryAfter', 'delayMs', 'drop', 'dropAfterStore', 'times'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new Error(`Unknown fault property "${key}" (known: ${known.join(', ')})`);
  }
  for (const key of ['status', 'retryAfter', 'delayMs', 'times']) {
    const number = value[key];
    if (number !== undefined && (typeof number !== 'number' || !Number.isInteger(number) || number < 0)) {
      throw new Error(`Fault property "${key}" must be a non-negative integer`);
    }
  }
  const status = value['status'];
  if (typeof status === 'number' && (status < 100 || status > 599))
    throw new Error('Fault status must be an HTTP status');
  // Every property was checked above.
  return /** @type {Fault} */ ({ ...value });
}
