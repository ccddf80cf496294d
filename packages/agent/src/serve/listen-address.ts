import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
  /** 127.0.0.0/8, ::1 or `localhost`: only this machine can connect. */
  loopback: boolean;
}

/**
 * `--listen HOST:PORT` (`127.0.0.1:8787`, `[::1]:8787`, `localhost:0`, `0.0.0.0:8787`). Port 0 asks the
 * system for a free one (tests). Bad usage (exit 2) for anything else.
 */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (match === null || host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--listen expects HOST:PORT (127.0.0.1:8787 or [::1]:8787), got "${value}"`);
  }
  if (match[1] !== undefined && isIP(host) !== 6) {
    throw new UsageError(`--listen: "${host}" in brackets is not an IPv6 address`);
  }
  return { host, port, loopback: isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
