import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { createLogger } from './create-logger.js';

/** A destination that keeps what the logger wrote. */
function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-token-value';
const INS = '184127645108946';

describe('createLogger', () => {
  it('writes JSON lines with level, ISO time, message and the component of a child', () => {
    const out = capture();
    const logger = createLogger({ format: 'json', destination: out.stream });
    logger.child({ component: 'submitter' }).info({ attempt: 2, status: 503 }, 'retrying submission');
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      component: 'submitter',
      attempt: 2,
      status: 503,
      msg: 'retrying submission',
    });
    expect(typeof line?.['time']).toBe('string');
    expect(new Date(String(line?.['time'])).toISOString()).toBe(line?.['time']);
  });

  it('labels every level by name (journalctl and log shippers filter on "level":"debug")', () => {
    const out = capture();
    const logger = createLogger({ level: 'trace', format: 'json', destination: out.stream });
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    logger.child({ component: 'runner' }).debug('child');
    expect(out.lines().map((line) => line['level'])).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'debug',
    ]);
    expect(out.text()).not.toMatch(/"level":\d/);
  });

  it("writes times on the configured zone's wall clock, with its offset, the same instant", () => {
    const out = capture();
    const before = Date.now();
    createLogger({ format: 'json', destination: out.stream, timezone: 'Europe/Paris' }).info('paris');
    createLogger({ format: 'json', destination: out.stream, timezone: 'Indian/Reunion' }).info('reunion');
    const after = Date.now();
    const [paris, reunion] = out.lines().map((line) => String(line['time']));
    expect(paris).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/);
    expect(reunion).toMatch(/\+04:00$/);
    for (const time of [paris, reunion]) {
      expect(Date.parse(time ?? '')).toBeGreaterThanOrEqual(before);
      expect(Date.parse(time ?? '')).toBeLessThanOrEqual(after);
    }
  });

  it('prints the same zoned time in pretty lines, with the level by name', () => {
    const out = capture();
    createLogger({ format: 'pretty', destination: out.stream, timezone: 'Indian/Reunion' }).warn('late');
    expect(out.text()).toMatch(/^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+04:00\] WARN.*late/);
  });

  it('honours the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', format: 'json', destination: out.stream });
    logger.info('quiet');
    logger.warn('loud');
    expect(out.lines().map((line) => line['msg'])).toEqual(['loud']);
  });

  it('never writes a token, an INS or a name, whatever the call shape', () => {
    const out = capture();
    const logger = createLogger({ level: 'trace', format: 'json', destination: out.stream });
    const source = logger.child({ component: 'source', patient: 'Patient/p1' });
    source.info({ token: TOKEN, headers: { authorization: `Bearer ${TOKEN}` } }, 'request');
    source.info(
      { request: { headers: { Authorization: `Bearer ${TOKEN}` } }, deep: { a: { b: { password: TOKEN } } } },
      'deep',
    );
    source.warn(
      { resource: { name: [{ family: 'Dupont', given: ['Marie'] }], identifier: [{ value: INS }] } },
      'rejected',
    );
    source.warn(`duplicate person ${INS}`);
    source.warn('duplicate person %s in %o', INS, { subject: { display: 'Marie Dupont' } });
    source.error(new AgentError('source-http', `HTTP 400 for Patient?identifier=${INS}`));
    source.error({ err: new Error(`bad ${INS}`), auth: { clientSecret: TOKEN } }, 'failed');
    const text = out.text();
    expect(out.lines()).toHaveLength(7);
    for (const forbidden of [TOKEN, 'secret-token-value', INS, 'Dupont', 'Marie', 'Patient/p1']) {
      expect(text).not.toContain(forbidden);
    }
    expect(text).toContain('[redacted]');
  });

  it('redacts the bindings of children and grandchildren, keeping the others', () => {
    const out = capture();
    const logger = createLogger({ format: 'json', destination: out.stream });
    const page = logger
      .child({ component: 'source' })
      .child({ page: 3, subject: 'Patient/p9', note: `INS ${INS}` });
    page.info('page read');
    page.setBindings({ name: 'Marie Dupont' });
    page.info('renamed');
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      component: 'source',
      page: 3,
      subject: '[redacted]',
      note: '[redacted]',
      msg: 'page read',
    });
    expect(second).toMatchObject({ component: 'source', name: '[redacted]' });
    expect(out.text()).not.toContain('Patient/p9');
    expect(out.text()).not.toContain('Dupont');
  });

  it('logs errors as objects an operator can read', () => {
    const out = capture();
    const logger = createLogger({ format: 'json', destination: out.stream });
    logger.error(new AgentError('submission-permanent', 'ARS answered 422'));
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'error',
      msg: 'ARS answered 422',
      err: { type: 'AgentError', code: 'submission-permanent', message: 'ARS answered 422' },
    });
    expect(String((line?.['err'] as Record<string, unknown>)['stack'])).toContain('AgentError');
  });

  it('writes human-readable lines with format pretty, redacted the same way', () => {
    const out = capture();
    const logger = createLogger({ format: 'pretty', destination: out.stream });
    logger.child({ component: 'runner' }).info({ finess: '970400024', ins: INS }, 'run finished');
    const text = out.text();
    expect(text).toContain('run finished');
    expect(text).toContain('970400024');
    expect(text).not.toContain(INS);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('writes JSON in auto format when the destination is not a terminal', () => {
    const out = capture();
    createLogger({ format: 'auto', destination: out.stream }).info('hello');
    expect(out.lines()[0]?.['msg']).toBe('hello');
  });
});
