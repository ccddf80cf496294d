import { AgentError } from '../errors.js';

/** The evidence store could not be read or written (disk full, permissions, missing key files). */
export class EvidenceIoError extends AgentError {
  override readonly name = 'EvidenceIoError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('evidence-io', message, options);
  }
}

/** Verification found at least one problem: the evidence does not prove what it claims. */
export class EvidenceInvalidError extends AgentError {
  override readonly name = 'EvidenceInvalidError';
  constructor(message: string) {
    super('evidence-invalid', message);
  }
}

export function isEvidenceIoError(value: unknown): value is EvidenceIoError {
  return value instanceof EvidenceIoError;
}

export function isEvidenceInvalidError(value: unknown): value is EvidenceInvalidError {
  return value instanceof EvidenceInvalidError;
}
