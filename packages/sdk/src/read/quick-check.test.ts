import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passesQuickCheck } from './quick-check.js';
import { otherResourceSchema, SCHEMAS_BY_TYPE } from './schemas.js';
import { duiExtract, jsonPaths, junk, mutateAt } from '../test-support/arbitraries.js';

const RUNS = Number(process.env['SDK_PROPERTY_RUNS'] ?? 60);

function zodAccepts(record: Record<string, unknown>): boolean {
  const type = String(record['resourceType']);
  const schema = Object.hasOwn(SCHEMAS_BY_TYPE, type) ? SCHEMAS_BY_TYPE[type]! : otherResourceSchema;
  return schema.safeParse(record).success;
}

describe('quick structural check', () => {
  it('accepts the well-formed records of a DUI extract, as zod does', () => {
    fc.assert(
      fc.property(duiExtract, (records) => {
        for (const record of records) {
          const type = String(record['resourceType']);
          expect(passesQuickCheck(type, record)).toBe(zodAccepts(record));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is never more lenient than zod on mutated records', () => {
    fc.assert(
      fc.property(
        duiExtract.filter((records) => records.length > 0),
        fc.nat(),
        fc.nat(),
        junk,
        (records, pick, pathPick, replacement) => {
          const record = records[pick % records.length]!;
          const paths = jsonPaths(record);
          const path = paths[pathPick % paths.length] ?? [];
          const mutated = mutateAt(record, path, replacement);
          if (mutated === null || typeof mutated !== 'object' || Array.isArray(mutated)) return;
          const m = mutated as Record<string, unknown>;
          if (typeof m['resourceType'] !== 'string') return;
          // Quick "valid" must imply zod "valid"; quick "invalid" only means "ask zod".
          if (passesQuickCheck(m['resourceType'], m)) expect(zodAccepts(m)).toBe(true);
        },
      ),
      { numRuns: RUNS * 10 },
    );
  });

  it('sends null where zod expects an absent field to zod', () => {
    const encounter = { resourceType: 'Encounter', status: 'finished', subject: null };
    expect(passesQuickCheck('Encounter', encounter)).toBe(false);
    expect(zodAccepts(encounter)).toBe(false);
  });
});
