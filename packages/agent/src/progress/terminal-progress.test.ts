import { describe, expect, it } from 'vitest';
import { formatCount, formatElapsed } from './format-progress.js';
import { StatusLine, writeAroundStatusLine } from './status-line.js';
import { TerminalProgress } from './terminal-progress.js';
import { PROGRESS_REFRESH_INTERVAL_MS } from './progress-timings.js';

/** Carriage return + erase line: how the status line is redrawn. */
const ERASE = '\r\u001b[2K';

/** A stand-in terminal: what was written, and the screen line by line once `\r` and erase are applied. */
function fakeTerminal(columns = 100): {
  stream: { isTTY: true; columns: number; write(text: string): boolean };
  writes: string[];
  screen(): string[];
} {
  const writes: string[] = [];
  return {
    stream: {
      isTTY: true,
      columns,
      write(text: string) {
        writes.push(text);
        return true;
      },
    },
    writes,
    screen() {
      const text = writes.join('');
      const lines: string[] = [''];
      for (let i = 0; i < text.length;) {
        if (text.startsWith(ERASE, i)) {
          lines[lines.length - 1] = '';
          i += ERASE.length;
        } else if (text[i] === '\n') {
          lines.push('');
          i += 1;
        } else {
          lines[lines.length - 1] += text[i] ?? '';
          i += 1;
        }
      }
      return lines;
    },
  };
}

/** Draws of the status line (each starts with carriage return + erase line and has some text). */
function draws(writes: readonly string[]): string[] {
  return writes.filter((w) => w.startsWith('\r\u001b[2K') && !w.endsWith('\n') && w.length > 4);
}

describe('TerminalProgress', () => {
  it('shows phase, resource type, records, pages, rate and elapsed, redrawn at most every refresh interval', () => {
    const terminal = fakeTerminal();
    let clockMs = 0;
    const progress = new TerminalProgress({ stream: terminal.stream, now: () => clockMs, timer: false });
    progress.phaseStarted('read');
    expect(draws(terminal.writes)).toEqual(['\r\u001b[2Kesms read · 0:00']);
    // 100 000 records within one refresh interval: no redraw at all.
    for (let i = 0; i < 100_000; i++) progress.recordsRead('Encounter', 1);
    expect(draws(terminal.writes)).toHaveLength(1);
    clockMs = PROGRESS_REFRESH_INTERVAL_MS; // the next batch of records may redraw, once
    for (let i = 0; i < 10_000; i++) progress.recordsRead('AuditEvent', 1);
    progress.pageRead('AuditEvent');
    expect(draws(terminal.writes)).toHaveLength(2);
    expect(draws(terminal.writes)[1]?.startsWith(ERASE)).toBe(true);
    expect(draws(terminal.writes)[1]?.slice(ERASE.length)).toMatch(
      /^esms read · AuditEvent · 100 \d{3} records · /,
    );
    clockMs = 12_000;
    progress.pageRead('AuditEvent');
    expect(terminal.screen().at(-1)).toBe(
      'esms read · AuditEvent · 110 000 records · 2 pages · 9 167/s · 0:12',
    );
    progress.phaseEnded('read');
    expect(terminal.screen()).toEqual(['esms read: 110 000 records, 2 pages in 12.0 s (9 167/s)', '']);
  });

  it('over a long phase, never more draws than elapsed time / refresh interval (+ the first)', () => {
    const terminal = fakeTerminal();
    let clockMs = 0;
    const progress = new TerminalProgress({ stream: terminal.stream, now: () => clockMs, timer: false });
    progress.phaseStarted('read');
    for (let i = 0; i < 1_000_000; i++) {
      clockMs = i / 100; // 10 s over a million records
      progress.recordsRead('Encounter', 1);
    }
    const allowed = Math.floor(clockMs / PROGRESS_REFRESH_INTERVAL_MS) + 1;
    expect(draws(terminal.writes).length).toBeLessThanOrEqual(allowed);
    expect(draws(terminal.writes).length).toBeGreaterThan(allowed / 2);
  });

  it('a phase without records shows its elapsed time; a failed one says it stopped', () => {
    const terminal = fakeTerminal();
    let clockMs = 0;
    const progress = new TerminalProgress({ stream: terminal.stream, now: () => clockMs, timer: false });
    progress.phaseStarted('compute');
    clockMs = 1_500;
    progress.phaseEnded('compute');
    progress.phaseStarted('read');
    progress.recordsRead('Patient', 40);
    clockMs = 4_000;
    progress.phaseEnded('read', { outcome: 'failed' });
    expect(terminal.screen()).toEqual([
      'esms compute: done in 1.5 s',
      'esms read: stopped after 2.5 s (40 records)',
      '',
    ]);
  });

  it("shows the generator's share of its target", () => {
    const terminal = fakeTerminal();
    let clockMs = 0;
    const progress = new TerminalProgress({ stream: terminal.stream, now: () => clockMs, timer: false });
    progress.phaseStarted('generate', { expectedRecords: 1_000 });
    progress.recordsRead('Encounter', 420);
    clockMs = 1_000;
    progress.pageRead('Encounter'); // any event may redraw
    expect(terminal.screen().at(-1)).toContain('420 records · 42 % ·');
  });

  it('cuts the line to the width of the terminal, so that it never wraps', () => {
    const terminal = fakeTerminal(30);
    const progress = new TerminalProgress({ stream: terminal.stream, now: () => 0, timer: false });
    progress.phaseStarted('read');
    progress.pageRead('MedicationRequest');
    expect(terminal.screen().at(-1)?.length).toBeLessThanOrEqual(29);
  });
});

describe('writeAroundStatusLine', () => {
  it('erases the status line before another write and draws it again after', () => {
    const terminal = fakeTerminal();
    const line = new StatusLine(terminal.stream);
    line.show('esms read · 12 records');
    writeAroundStatusLine(() => terminal.stream.write('{"level":"warn","msg":"a log line"}\n'));
    expect(terminal.screen()).toEqual(['{"level":"warn","msg":"a log line"}', 'esms read · 12 records']);
    line.finish('esms read: 12 records');
    writeAroundStatusLine(() => terminal.stream.write('after\n'));
    expect(terminal.screen()).toEqual([
      '{"level":"warn","msg":"a log line"}',
      'esms read: 12 records',
      'after',
      '',
    ]);
  });
});

describe('formatting', () => {
  it('groups digits by three and writes elapsed time as m:ss or h:mm:ss', () => {
    expect(formatCount(1_000_084)).toBe('1 000 084');
    expect(formatCount(999)).toBe('999');
    expect(formatElapsed(7_900)).toBe('0:07');
    expect(formatElapsed(750_000)).toBe('12:30');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
  });
});
