// @ts-check
/**
 * What the examples' launchers (`examples/<name>/main.mjs`) share: their arguments read the one way (bad usage
 * exits 2 with the usage, `--help` exits 0), the port checked, one JSON line naming the URL once listening, and
 * a clean stop on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';

const HELP = /** @type {const} */ ({ help: { type: 'boolean' } });

/**
 * The parsed options; exits 2 with the usage on unknown or malformed arguments, 0 after printing it on `--help`.
 * @template {NonNullable<import('node:util').ParseArgsConfig['options']>} T
 * @param {T} options
 * @param {string} usage
 * @returns {ReturnType<typeof parseArgs<{ options: T, strict: true }>>['values']}
 */
export function parseExampleArgs(options, usage) {
  try {
    const { values } = parseArgs({ options: { ...options, ...HELP }, strict: true });
    if (/** @type {{ help?: boolean }} */ (values).help === true) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return values;
  } catch (error) {
    return usageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
}

/**
 * The TCP port given (0 for any free one); exits 2 with the usage when it is not one.
 * @param {string | undefined} text
 * @param {string} usage
 * @returns {number}
 */
export function portArgument(text, usage) {
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : usageError(usage);
}

/**
 * Exits 2 (bad usage) with this message.
 * @param {string} message
 * @returns {never}
 */
export function usageError(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/**
 * Prints `{"url": …}` on one line (what the tests and the demo wait for), then closes the server and exits 0 on
 * SIGINT or SIGTERM (1 when closing fails).
 * @param {{ url: string, close(): Promise<void> }} server
 */
export function announceAndServe(server) {
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
