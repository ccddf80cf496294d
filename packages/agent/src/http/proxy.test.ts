import { describe, expect, it } from 'vitest';
import { bypassesProxy, resolveProxy } from './proxy.js';

const target = (url: string): URL => new URL(url);

describe('resolveProxy', () => {
  it('takes the configured proxy, else HTTPS_PROXY for https (falling back to HTTP_PROXY), HTTP_PROXY for http', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', http_proxy: 'http://plain:3128' };
    expect(resolveProxy(target('https://ars.test/fhir'), 'http://config:8080', env)?.host).toBe(
      'config:8080',
    );
    expect(resolveProxy(target('https://ars.test/fhir'), undefined, env)?.host).toBe('secure:3128');
    expect(resolveProxy(target('http://ars.test/fhir'), undefined, env)?.host).toBe('plain:3128');
    expect(resolveProxy(target('https://ars.test/fhir'), undefined, { HTTP_PROXY: 'http://p:1' })?.host).toBe(
      'p:1',
    );
    expect(resolveProxy(target('https://ars.test/fhir'), false, env)).toBeUndefined();
    expect(resolveProxy(target('https://ars.test/fhir'), undefined, {})).toBeUndefined();
  });

  it('applies NO_PROXY to the configured proxy too, and refuses a proxy that is not an http(s) URL', () => {
    expect(
      resolveProxy(target('https://dui.local/fhir'), 'http://p:1', { NO_PROXY: '.local' }),
    ).toBeUndefined();
    expect(() => resolveProxy(target('https://a.test'), 'socks5://p:1', {})).toThrow(
      expect.objectContaining({ code: 'config-invalid' }),
    );
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  it('matches hosts, domains and their subdomains, ports, IPv6 and *', () => {
    const url = target('https://dui.hopital.local:8443/fhir');
    expect(bypassesProxy(url, 'hopital.local')).toBe(true);
    expect(bypassesProxy(url, '.hopital.local')).toBe(true);
    expect(bypassesProxy(url, '*.hopital.local')).toBe(true);
    expect(bypassesProxy(url, 'other.local, dui.hopital.local:8443')).toBe(true);
    expect(bypassesProxy(url, 'dui.hopital.local:443')).toBe(false);
    expect(bypassesProxy(url, 'pital.local')).toBe(false);
    expect(bypassesProxy(url, '*')).toBe(true);
    expect(bypassesProxy(target('http://[::1]:8080/'), '::1')).toBe(true);
    expect(bypassesProxy(target('http://[::1]:8080/'), '[::1]:8080')).toBe(true);
    expect(bypassesProxy(target('https://127.0.0.1/'), '')).toBe(false);
  });
});
