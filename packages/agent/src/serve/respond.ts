import type { ServerResponse } from 'node:http';
import { operationOutcome, type ServeError } from './serve-error.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(response: ServerResponse, status: number, body: unknown, type = JSON_TYPE): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, type: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendOperationOutcome(response: ServerResponse, error: ServeError): void {
  if (error.code === 'unauthorized') response.setHeader('WWW-Authenticate', 'Bearer realm="esms"');
  sendJson(response, error.status, operationOutcome(error), FHIR_JSON);
}
