import { describe, expect, it } from 'vitest';
import { collectingLogger } from '../daemon/__fixtures__/daemon-harness.js';
import { LogProgress } from './log-progress.js';
import { inPhase, SILENT_PROGRESS } from './progress-observer.js';
import { progressReporter } from './progress-reporter.js';
import { TerminalProgress } from './terminal-progress.js';

describe('LogProgress', () => {
  it('writes one info line when a phase starts and one when it ends, with counts by type and durations', () => {
    const logs = collectingLogger();
    let clockMs = 1_000;
    const progress = new LogProgress({ logger: logs.logger, now: () => clockMs });
    progress.phaseStarted('read');
    for (let i = 0; i < 5_000; i++) progress.recordsRead(i % 5 === 0 ? 'Patient' : 'Encounter', 1);
    progress.pageRead('Encounter');
    progress.pageRead('Patient');
    clockMs = 3_500;
    progress.phaseEnded('read', { details: { unreadable: 0 } });
    progress.phaseStarted('seal');
    clockMs = 3_620;
    progress.phaseEnded('seal', { details: { entry: 7 } });
    const lines = logs.records();
    // Nothing per record or per page: two lines per phase.
    expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
      ['info', 'read started'],
      ['info', 'read ended'],
      ['info', 'seal started'],
      ['info', 'seal ended'],
    ]);
    expect(lines[1]).toMatchObject({
      phase: 'read',
      outcome: 'ok',
      durationMs: 2_500,
      records: 5_000,
      pages: 2,
      recordsPerSecond: 2_000,
      unreadable: 0,
      // A list, not an object keyed by type: the privacy filter would blank a `Patient` key.
      byType: [
        { type: 'Encounter', records: 4_000 },
        { type: 'Patient', records: 1_000 },
      ],
    });
    expect(lines[3]).toEqual(expect.objectContaining({ phase: 'seal', durationMs: 120, entry: 7 }));
    expect(lines[3]).not.toHaveProperty('records');
  });

  it('a phase that fails ends with a warn line, and inPhase passes the error on', async () => {
    const logs = collectingLogger();
    const progress = new LogProgress({ logger: logs.logger, now: () => 0 });
    await expect(inPhase(progress, 'submit', () => Promise.reject(new Error('ARS down')))).rejects.toThrow(
      'ARS down',
    );
    expect(logs.records().map((l) => [l['level'], l['msg'], l['outcome']])).toEqual([
      ['info', 'submit started', undefined],
      ['warn', 'submit stopped', 'failed'],
    ]);
  });
});

describe('progressReporter', () => {
  it('a status line when standard error is a terminal, phase lines in the log otherwise, or nothing', () => {
    const logs = collectingLogger();
    const tty = { isTTY: true, columns: 80, write: () => true };
    const pipe = { isTTY: false, write: () => true };
    expect(progressReporter({ stream: tty, logger: logs.logger })).toBeInstanceOf(TerminalProgress);
    expect(progressReporter({ stream: pipe, logger: logs.logger })).toBeInstanceOf(LogProgress);
    expect(progressReporter({ stream: pipe })).toBe(SILENT_PROGRESS);
    expect(progressReporter({ stream: tty, logger: logs.logger, mode: 'none' })).toBe(SILENT_PROGRESS);
    const logged = progressReporter({ stream: pipe, logger: logs.logger });
    logged.phaseStarted('compute');
    expect(logs.records()[0]).toMatchObject({ component: 'progress', phase: 'compute' });
  });
});
