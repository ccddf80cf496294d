import type { List, MeasureReport } from 'fhir/r4.js';
import type { IndicatorExplanation } from '@esms-numerique/sdk';

/**
 * A summary MeasureReport turned into a `subject-list` one (FHIR R4): each population that has its persons
 * listed points (`subjectResults`) to a contained `List` of Patient references, the DUI's own ids. Local
 * only (contract §3: subject lists exist for explainability and evidence, never submitted).
 */
export function toSubjectListReport(
  summary: MeasureReport,
  explanation: IndicatorExplanation,
  persons: readonly string[],
): MeasureReport {
  const lists: Record<string, readonly string[]> = {
    'initial-population': persons,
    denominator: explanation.denominator,
    numerator: explanation.numerator,
  };
  const contained: List[] = [];
  const group = (summary.group ?? []).map((g) => ({
    ...g,
    population: (g.population ?? []).map((population) => {
      const members = population.id === undefined ? undefined : lists[population.id];
      if (members === undefined) return population;
      const id = `${population.id}-subjects`;
      contained.push({
        resourceType: 'List',
        id,
        status: 'current',
        mode: 'snapshot',
        entry: [...members].sort().map((person) => ({ item: { reference: person } })),
      });
      return { ...population, subjectResults: { reference: `#${id}` } };
    }),
  }));
  // The summary's narrative speaks of counts only; the lists are the point here.
  const rest: MeasureReport = { ...summary };
  delete rest.text;
  return { ...rest, contained, type: 'subject-list', group };
}
