import { describe, expect, it } from 'vitest';
import type { Fact, UsageFact } from '../facts.js';
import { FINESS, message, organisation, usage } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';
import { IDENTIFIER_SYSTEMS, USAGE_EVENT_KINDS, USAGE_EVENT_SYSTEM } from '../vocabulary/systems.js';
import { extractUsageEvent, namesNeitherEssmsNorPerson, USAGE_RULES, usageEventKind } from './usage-event.js';

/** The usage fact `extractUsageEvent` emits for an AuditEvent with these agents. */
function extracted(agent: unknown[]): UsageFact {
  const facts: Fact[] = [];
  extractUsageEvent(
    { resourceType: 'AuditEvent', agent },
    'AuditEvent/u',
    'mssante-message-sent',
    null,
    true,
    [],
    (f) => facts.push(f),
  );
  expect(facts).toHaveLength(1);
  return facts[0] as UsageFact;
}

describe('usage events (data-model.md "Usage events"): recognised, read and streamed alike for every kind', () => {
  it('recognises the four kinds by type, and nothing else', () => {
    for (const code of USAGE_EVENT_KINDS)
      expect(usageEventKind({ type: { system: USAGE_EVENT_SYSTEM, code } })).toBe(code);
    expect(usageEventKind({ type: { system: USAGE_EVENT_SYSTEM, code: 'fax-sent' } })).toBeNull();
    expect(
      usageEventKind({ type: { system: 'http://example.org', code: 'mssante-message-sent' } }),
    ).toBeNull();
    expect(usageEventKind({})).toBeNull();
  });

  it('gives every kind a rule of its own', () => {
    expect(Object.keys(USAGE_RULES).sort()).toEqual([...USAGE_EVENT_KINDS].sort());
  });

  it('reads the ESSMS an agent names: an Organization or a FINESS identifier, every other distinct one kept', () => {
    const fact = extracted([
      { who: { reference: 'Practitioner/doc' } },
      { who: { reference: 'Organization/a' } },
      { who: { identifier: { system: IDENTIFIER_SYSTEMS.finess, value: FINESS.paris2 } } },
      { who: { reference: 'Organization/a' } },
    ]);
    expect(fact.org).toBe('Organization/a');
    expect(fact.otherOrgs).toHaveLength(1);
    expect(fact.orgUntyped).toBeUndefined();
  });

  it('keeps an untyped urn:uuid: agent for the end, flagged, when no agent names an Organization', () => {
    const fact = extracted([{ who: { reference: 'urn:uuid:0b5f3c1e-1111-4a2b-9c3d-000000000001' } }]);
    expect(fact.org).toBe('urn:uuid:0b5f3c1e-1111-4a2b-9c3d-000000000001');
    expect(fact.orgUntyped).toBe(true);
    expect(extracted([{ who: { display: 'DUI' } }]).org).toBeNull();
  });

  it('counts only a success with a readable instant inside a window that could count', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      message('ok'),
      message('failed', { outcome: '4' }),
      message('after-p', { recorded: '2024-04-02T10:00:00+02:00' }),
      message('unreadable', { recorded: 'yesterday' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([1, 1]);
  });

  it('an event naming neither an ESSMS nor a person is unattributed-event, whatever its kind', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      usage({ id: 'lost', kind: 'e-parcours-exchange', recorded: '2024-02-10T10:00:00+01:00' }),
    ]);
    expect(findings(c, 'unattributed-event')).toEqual([
      expect.objectContaining({ id: 'lost', message: namesNeitherEssmsNorPerson('e-parcours-exchange') }),
    ]);
  });

  it('an organisation named by agent.who that is not a reported ESSMS gets its events reported', () => {
    const c = compute([
      essms(),
      organisation({ id: 'editor', finess: FINESS.paris3, type: 'FINEJ' }),
      ...accompaniedPerson('p'),
      message('m', { org: 'editor' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([0, 1]);
    expect(findings(c, 'unattributed-event').map((f) => f.id)).toEqual(['m']);
  });
});
