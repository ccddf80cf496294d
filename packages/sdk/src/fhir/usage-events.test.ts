import { describe, expect, it } from 'vitest';
import { buildUsageEvent, usageEvents } from '../index.js';
import { FINESS } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms } from '../test-support/compute.js';

const mssante = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  counts(c, finess, 'taux-mssante');

describe('usage event builders (data-model.md: “the SDK exports these constants and small builders”)', () => {
  it('the SDK’s own builders produce usage events the engine counts', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      usageEvents.mssanteMessageSent({
        id: 'b1',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { organizationId: 'essms' },
      }),
      buildUsageEvent({
        kind: 'mssante-message-sent',
        id: 'b2',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { finess: FINESS.paris },
      }),
      usageEvents.mssanteMessageSent({
        id: 'b3',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { finess: FINESS.paris },
        success: false,
      }),
      usageEvents.dmpDocumentFed({ id: 'b4', recorded: '2024-02-01T10:00:00+01:00', patientId: 'p' }),
    ]);
    expect(mssante(c)).toEqual([2, 1]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
    // An 'E' AuditEvent about the person is not an update of the dossier.
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });
});
