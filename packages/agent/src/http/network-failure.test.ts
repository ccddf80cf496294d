import { describe, expect, it } from 'vitest';
import { describeNetworkFailure } from './network-failure.js';

const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('describeNetworkFailure', () => {
  it("finds the code under fetch's TypeError and inside a Happy Eyeballs AggregateError", () => {
    const refused = new TypeError('fetch failed', {
      cause: new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'all failed'),
    });
    expect(describeNetworkFailure(refused)).toEqual({
      kind: 'refused',
      code: 'ECONNREFUSED',
      description: 'connection refused: nothing listens at that address and port (ECONNREFUSED)',
    });
    expect(describeNetworkFailure(new TypeError('fetch failed', { cause: coded('EAI_AGAIN') })).kind).toBe(
      'dns',
    );
    expect(describeNetworkFailure(coded('CERT_HAS_EXPIRED')).description).toBe(
      "TLS failure: the server's certificate is outside its validity dates (CERT_HAS_EXPIRED)",
    );
    expect(describeNetworkFailure(coded('ERR_TLS_CERT_ALTNAME_INVALID')).description).toContain(
      'another host name',
    );
  });

  it('never quotes a message (it may hold a URL with query values), and says so when no code is known', () => {
    const failure = describeNetworkFailure(new TypeError('fetch failed http://dui/Patient?identifier=123'));
    expect(failure).toEqual({ kind: 'other', code: undefined, description: 'network error' });
  });
});
