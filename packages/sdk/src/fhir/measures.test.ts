import { describe, expect, it } from 'vitest';
import { MEASURE_IDS } from '../indicators/registry.js';
import { MEASURES } from './measures.js';

const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';

describe('MEASURES', () => {
  it('defines one active Measure per indicator id, with its canonical URL', () => {
    expect(MEASURES.map((m) => m.id)).toEqual([...MEASURE_IDS]);
    expect(MEASURE_IDS).toHaveLength(9);
    for (const measure of MEASURES) {
      expect(measure.url).toBe(`https://esms-numerique.github.io/fhir/Measure/${measure.id}`);
      expect(measure.status).toBe('active');
      expect(measure.title).toBeTruthy();
      expect(measure.description).toBeTruthy();
      // Only the rates say which way is better; the counts are cohorts (issue 8 §5).
      const isRate = measure.scoring?.coding?.[0]?.code !== 'cohort';
      expect(measure.improvementNotation?.coding?.[0]?.code, measure.id).toBe(
        isRate ? 'increase' : undefined,
      );
      expect(measure.text?.status).toBe('generated');
      expect(measure.text?.div).toContain(measure.title);
      for (const population of measure.group?.[0]?.population ?? []) {
        expect(population.code?.coding?.[0]?.system).toBe(POPULATION_SYSTEM);
        expect(population.id).toBe(population.code?.coding?.[0]?.code);
      }
    }
  });

  it('scores rates as proportions (MSSanté, counting messages, as a ratio) and counts as cohorts', () => {
    const scoring = Object.fromEntries(
      MEASURES.map((m): [string, string | undefined] => [m.id ?? '', m.scoring?.coding?.[0]?.code]),
    );
    expect(scoring).toEqual({
      'taux-dossiers-actifs': 'proportion',
      'taux-projet-personnalise': 'proportion',
      'taux-evenement-agenda': 'proportion',
      'taux-mssante': 'ratio',
      'taux-dmp': 'proportion',
      'e-prescriptions-importees': 'cohort',
      'echanges-e-parcours': 'cohort',
      'dossiers-actifs': 'cohort',
      'file-active': 'cohort',
    });
    const rates = MEASURES.filter((m) => m.id?.startsWith('taux-'));
    for (const measure of rates) {
      expect(measure.group?.[0]?.population?.map((p) => p.code?.coding?.[0]?.code)).toEqual([
        'initial-population',
        'denominator',
        'numerator',
      ]);
    }
    const ePrescriptions = MEASURES.find((m) => m.id === 'e-prescriptions-importees');
    expect(ePrescriptions?.group?.[0]?.stratifier?.[0]?.code?.text).toBe('month');
  });

  it('keeps the French names of the programme', () => {
    expect(MEASURES.find((m) => m.id === 'taux-dossiers-actifs')?.title).toBe('Taux de dossiers actifs');
    expect(MEASURES.find((m) => m.id === 'taux-mssante')?.title).toBe('Taux d’utilisation de la MSSanté');
  });
});
