// @ts-check
/**
 * How the examples read untrusted JSON (a submitted Bundle, an NDJSON line): as `unknown`, narrowed field by
 * field, never trusted as a type before it is checked. And the one SHA-256 helper they share.
 */
import { createHash } from 'node:crypto';

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value[key]` when `value` is an object, else undefined.
 * @param {unknown} value
 * @param {string} key
 * @returns {unknown}
 */
export function field(value, key) {
  return isObject(value) ? value[key] : undefined;
}

/**
 * `value` when it is an array, else an empty one.
 * @param {unknown} value
 * @returns {unknown[]}
 */
export function arrayOf(value) {
  return Array.isArray(value) ? value : [];
}

/**
 * Hex SHA-256 of bytes or of UTF-8 text.
 * @param {Buffer | string} data
 * @returns {string}
 */
export function sha256Hex(data) {
  return createHash('sha256').update(data).digest('hex');
}
