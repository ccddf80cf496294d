import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { REDACTED, redactForLog, scrubString } from './redact-for-log.js';

describe('scrubString', () => {
  it('replaces INS/NIR numbers, 13 or 15 digits, Corsican, or spaced', () => {
    expect(scrubString('ins 184127645108946 ok')).toBe(`ins ${REDACTED} ok`);
    expect(scrubString('nir=1841276451089;')).toBe(`nir=${REDACTED};`);
    expect(scrubString('Patient/284022A12345678')).toBe(`Patient/${REDACTED}`);
    expect(scrubString('1 84 12 76 451 089 46')).toBe(REDACTED);
  });

  it('leaves FINESS, SIRET, dates and hex digests alone', () => {
    const kept = [
      'finess 970400024',
      'siret 12345678901234',
      '2024-04-01T05:00:00+02:00',
      'sha256 a1b2c3d4e5f60718293a4b5c6d7e8f901234567890123456789abcdef0123456',
      'run 42 took 1234 ms',
    ];
    for (const text of kept) expect(scrubString(text)).toBe(text);
  });
});

describe('redactForLog', () => {
  it('replaces person fields at any depth, case-insensitively, and scrubs strings', () => {
    const record = {
      component: 'source',
      resource: {
        resourceType: 'Patient',
        id: 'p1',
        Name: [{ family: 'Dupont', given: ['Marie'] }],
        birthDate: '1984-12-07',
        identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '284122A123456' }],
        telecom: [{ value: '0692000000' }],
        address: [{ city: 'Saint-Denis' }],
        text: { div: '<div>Marie Dupont</div>' },
      },
      encounter: { subject: { reference: 'Patient/p1' }, note: [{ text: 'free text' }] },
      problem: 'INS 184127645108946 appears twice',
      count: 3,
    };
    expect(redactForLog(record)).toEqual({
      component: 'source',
      resource: {
        resourceType: 'Patient',
        id: 'p1',
        Name: REDACTED,
        birthDate: REDACTED,
        identifier: REDACTED,
        telecom: REDACTED,
        address: REDACTED,
        text: REDACTED,
      },
      encounter: { subject: REDACTED, note: REDACTED },
      problem: `INS ${REDACTED} appears twice`,
      count: 3,
    });
    // The input is left untouched.
    expect(record.resource.birthDate).toBe('1984-12-07');
  });

  it('redacts credentials at any depth', () => {
    expect(
      redactForLog({ a: { b: { c: { clientSecret: 's', Authorization: 'Bearer x', ok: 1 } } } }),
    ).toEqual({
      a: { b: { c: { clientSecret: REDACTED, Authorization: REDACTED, ok: 1 } } },
    });
  });

  it('turns errors into scrubbed plain objects, with their code and cause', () => {
    const error = new AgentError('source-http', 'Patient 184127645108946 rejected', {
      cause: new Error('for 1841276451089'),
    });
    const redacted = redactForLog(error) as Record<string, unknown>;
    expect(redacted['type']).toBe('AgentError');
    expect(redacted['message']).toBe(`Patient ${REDACTED} rejected`);
    expect(redacted['code']).toBe('source-http');
    expect(String(redacted['stack'])).not.toContain('184127645108946');
    expect((redacted['cause'] as Record<string, unknown>)['message']).toBe(`for ${REDACTED}`);
  });

  it('handles numbers, cycles, maps, sets and binary data', () => {
    const cyclic: Record<string, unknown> = { n: 184127645108946, small: 12, time: 1712345678901 };
    cyclic['self'] = cyclic;
    expect(redactForLog(cyclic)).toEqual({ n: REDACTED, small: 12, time: 1712345678901, self: '[circular]' });
    expect(redactForLog(new Map([['name', 'x']]))).toEqual({ name: REDACTED });
    expect(redactForLog(new Set(['184127645108946']))).toEqual([REDACTED]);
    expect(redactForLog(Buffer.from('abc'))).toBe('[binary, 3 bytes]');
    const shared = { v: 1 };
    expect(redactForLog({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});
