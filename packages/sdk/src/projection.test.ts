import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  pseudonymiseFact,
  recomputeFromProjection,
  type Computation,
  type Fact,
} from './index.js';
import { readExpected, readFixture, scenarioNames, tdduiExamples } from './test-support/fixtures.js';

/** The agent pseudonymises with HMAC-SHA256 under a local secret; any keyed, deterministic map will do here. */
const pseudonymise = (key: string): string =>
  `p:${createHmac('sha256', 'test-secret').update(key).digest('base64url').slice(0, 22)}`;

async function directAndRecomputed(
  records: unknown[],
  measureDate: string,
): Promise<[Computation, Computation]> {
  const facts: Fact[] = [];
  const engine = createEngine({
    measureDate,
    onFact: (fact) => facts.push(pseudonymiseFact(fact, pseudonymise)),
  });
  for (const record of records) engine.add(record);
  const direct = engine.finish();
  // Through JSON, as the projection is stored.
  const projection = JSON.parse(JSON.stringify(facts)) as Fact[];
  return [direct, await recomputeFromProjection(projection, { measureDate })];
}

const figures = (c: Computation): unknown => ({
  establishments: c.results.establishments,
  organisations: c.results.organisations,
  errors: c.results.dataQuality.errors.map((f) => f.code).sort(),
  warnings: c.results.dataQuality.warnings.map((f) => `${f.code}:${f.count ?? 1}`).sort(),
});

describe('recomputation from the pseudonymised projection', () => {
  it.each(scenarioNames())('equals the direct computation on fixture %s', async (name) => {
    const { options } = readExpected(name);
    const [direct, recomputed] = await directAndRecomputed([readFixture(name)], options.measureDate);
    expect(figures(recomputed)).toEqual(figures(direct));
  });

  it('equals the direct computation on the TDDUI examples', async () => {
    const [direct, recomputed] = await directAndRecomputed(tdduiExamples(), '2023-06-01');
    expect(figures(recomputed)).toEqual(figures(direct));
  });

  it('keeps no record id in the projection, only pseudonyms and FINESS keys', () => {
    const facts: Fact[] = [];
    const engine = createEngine({
      measureDate: '2023-06-01',
      onFact: (f) => facts.push(pseudonymiseFact(f, pseudonymise)),
    });
    for (const record of tdduiExamples()) engine.add(record);
    const text = JSON.stringify(facts);
    expect(text).not.toMatch(/tddui-patient|Patient\/|147720425367411|DUPONT/);
  });
});
