import { describe, expect, it } from 'vitest';
import { responseReason } from '../submit/response-classification.js';
import { summariseOperationOutcome } from './operation-outcome-summary.js';

describe('summariseOperationOutcome', () => {
  it('quotes severity, code, details and diagnostics of each issue', () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'invalid',
          details: { text: 'Bad FINESS' },
          diagnostics: 'Bundle.entry[1]',
        },
        { severity: 'warning', code: 'processing' },
      ],
    };
    expect(summariseOperationOutcome(outcome)).toBe(
      'error invalid: Bad FINESS Bundle.entry[1]; warning processing',
    );
  });

  it('truncates to the length asked, and says nothing of a body that is not an OperationOutcome', () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ diagnostics: 'x'.repeat(50) }] };
    expect(summariseOperationOutcome(outcome, 10)).toBe(`: ${'x'.repeat(7)}…`);
    expect(summariseOperationOutcome({ resourceType: 'Bundle' })).toBeUndefined();
    expect(summariseOperationOutcome({ resourceType: 'OperationOutcome', issue: [] })).toBeUndefined();
  });

  it('is what the ARS refusal reason quotes, else the raw body', () => {
    const body = JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', diagnostics: 'reporter FINESS is malformed' }],
    });
    expect(responseReason(body)).toBe('error invalid: reporter FINESS is malformed');
    expect(responseReason(' not json ')).toBe('not json');
    expect(responseReason('')).toBe('(empty body)');
  });
});
