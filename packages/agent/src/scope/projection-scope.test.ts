import { computeIndicatorsSync, recomputeFromProjection, type Fact } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { sampleRecords } from '../test-support/sample-records.js';
import { compareResults, compareSubjects } from '../evidence/compare-figures.js';
import { applyScope } from './establishment-scope.js';
import { createProjectionScoper } from './projection-scope.js';

const OPTIONS = { measureDate: '2024-04-01' };

function sampleFacts(): { facts: Fact[]; computation: ReturnType<typeof computeIndicatorsSync> } {
  const records = sampleRecords();
  const facts: Fact[] = [];
  const computation = computeIndicatorsSync(records, { ...OPTIONS, onFact: (f) => facts.push(f) });
  return { facts, computation };
}

const { facts, computation } = sampleFacts();

function scoped(scope: readonly string[]): Fact[] {
  const scoper = createProjectionScoper(scope);
  for (const fact of facts) scoper.observe(fact);
  const filter = scoper.decide();
  if (filter === null) throw new Error('a scope gives a filter');
  return facts.map((f) => filter.keep(f)).filter((f): f is Fact => f !== null);
}

describe('the projection scoped to the configured ESSMS (follow-up F2)', () => {
  it.each([['970407680'], ['750006827'], ['750006827', '970108007'], ['130007313', '690007356']])(
    'scope %s: the configured ESSMS recompute exactly from the scoped facts',
    async (...scope: string[]) => {
      const kept = scoped(scope);
      expect(kept.length).toBeLessThan(facts.length);
      const direct = applyScope(computation, scope);
      const again = applyScope(await recomputeFromProjection(kept, OPTIONS), scope);
      expect(compareResults(direct.results, again.results)).toEqual([]);
      expect(compareSubjects(direct.subjects, again.subjects)).toEqual([]);
    },
  );

  it('keeps only persons with a séjour at a configured ESSMS, and no other entity’s organisation names', () => {
    const kept = scoped(['970407680']);
    const patients = (list: Fact[]): number => list.filter((f) => f.k === 'patient').length;
    expect(patients(facts)).toBe(60);
    const accompanied = computation.subjects.find((s) => s.finess === '970407680');
    expect(accompanied).toBeDefined();
    expect(patients(kept)).toBeGreaterThan(0);
    expect(patients(kept)).toBeLessThan(20);
    const names = kept.flatMap((f) => (f.k === 'organisation' && f.name !== null ? [f.name] : []));
    // The ESSMS and its organisme gestionnaire, nothing of the other legal entities.
    expect(names.sort()).toEqual(['Association Réunionnaise Les Filaos', 'SSIAD Les Tilleuls']);
  });

  it('no scope: everything', () => {
    expect(createProjectionScoper(null).decide()).toBeNull();
  });
});
