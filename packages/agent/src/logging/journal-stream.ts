import { fstatSync, writeSync } from 'node:fs';

/**
 * Under systemd, standard error goes to the journal, which reads a `<N>` prefix on each line as its syslog
 * priority (`SyslogLevelPrefix=yes`, the default for services) and strips it: `journalctl -p err` then
 * finds the agent's errors (follow-up O3). systemd sets `JOURNAL_STREAM=<dev>:<inode>` of the stream it
 * connected; the prefix is written only when standard error is still that stream (not when a command run
 * by the service redirects it to a file or a pipe).
 */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const stream = env['JOURNAL_STREAM'];
  if (stream === undefined || stream === '') return false;
  try {
    const { dev, ino } = fstatSync(2);
    return stream === `${dev}:${ino}`;
  } catch {
    return false;
  }
}

/** syslog priorities (RFC 5424) of the log levels. */
const PRIORITY_BY_LEVEL: Readonly<Record<string, number>> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/** The `<N>` prefix of one JSON log line, from its `"level":"…"` (info when it has none). */
export function journalPrefix(line: string): string {
  const level = /"level":"([a-z]+)"/.exec(line)?.[1] ?? 'info';
  return `<${PRIORITY_BY_LEVEL[level] ?? 6}>`;
}

/** A pino destination writing each line to standard error with its `<N>` prefix, synchronously. */
export function journalDestination(): { write(line: string): void } {
  return {
    write(line: string) {
      writeSync(2, journalPrefix(line) + line);
    },
  };
}

/** Whether lines on standard error are JSON (a pipe, the journal): main writes its last word as one. */
let jsonStderr = false;
let journal = false;

export function markStderrJson(toJournal: boolean): void {
  jsonStderr = true;
  journal = toJournal;
}

/** The line main writes for a failure: plain on a terminal, a JSON line (with its prefix) otherwise. */
export function stderrFailureLine(message: string, details: Record<string, unknown>): string {
  if (!jsonStderr) return `esms: ${message}\n`;
  const line = `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: `esms: ${message}`, ...details })}\n`;
  return journal ? journalPrefix(line) + line : line;
}
