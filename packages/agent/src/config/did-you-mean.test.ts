import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance, flattenedSecretRef } from './did-you-mean.js';

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(editDistance('pagesze', 'pagesize')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests a close word, case-insensitively, and nothing when too far', () => {
    expect(closestMatch('PageSize', ['pageSize', 'baseUrl'])).toBe('pageSize');
    expect(closestMatch('timzone', ['timezone', 'cron'])).toBe('timezone');
    expect(closestMatch('xyz', ['timezone', 'cron'])).toBeUndefined();
  });

  it('completes a truncated word and trims an extended one', () => {
    expect(closestMatch('calendar', ['period', 'calendar-year'])).toBe('calendar-year');
    expect(closestMatch('bearer-token', ['none', 'bearer'])).toBe('bearer');
    expect(closestMatch('tls', ['tls-client-certificate'])).toBeUndefined();
  });

  it('recognises a flattened secret reference', () => {
    expect(flattenedSecretRef('tokenEnv', ['type', 'token'])).toBe('token: { env: VARIABLE_NAME }');
    expect(flattenedSecretRef('clientSecretFile', ['clientSecret'])).toBe('clientSecret: { file: ./path }');
    expect(flattenedSecretRef('tokenEnv', ['type'])).toBeUndefined();
  });
});
