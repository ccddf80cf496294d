import type { ServerResponse } from 'node:http';

/**
 * The dashboard loads nothing from outside (no CDN, no fonts, no script): its one stylesheet is its own,
 * its charts inline SVG. The policy says exactly that, so a page that tried more would be stopped.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers on every answer of the service: the policy, no sniffing, no referrer, no framing. */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** Person-level answers are never kept by a browser or a proxy cache. */
export function setNoStore(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-store');
}
