import { describe, expect, it } from 'vitest';
import {
  INDICATORS,
  MEASURE_IDS,
  MEASURES,
  POPULATIONS,
  RATE_INDICATOR_IDS,
  TARGETS,
  VA_INDICATOR_IDS,
} from '../index.js';

describe('the indicator registry: every indicator named once', () => {
  it('lists the measures of indicators.md in reporting order: five rates, two optional counts, two figures', () => {
    expect(MEASURE_IDS).toEqual([
      'taux-dossiers-actifs',
      'taux-projet-personnalise',
      'taux-evenement-agenda',
      'taux-mssante',
      'taux-dmp',
      'e-prescriptions-importees',
      'echanges-e-parcours',
      'dossiers-actifs',
      'file-active',
    ]);
    expect(MEASURE_IDS.map((id) => INDICATORS[id].kind)).toEqual([
      ...Array<string>(5).fill('rate'),
      'count',
      'count',
      'figure',
      'figure',
    ]);
    for (const id of MEASURE_IDS) expect(INDICATORS[id].id).toBe(id);
    expect(RATE_INDICATOR_IDS).toEqual(MEASURE_IDS.slice(0, 5));
  });

  it('the VA check is over the three DUI indicators (SONS Vérification d’Aptitude)', () => {
    expect(VA_INDICATOR_IDS).toEqual([
      'taux-dossiers-actifs',
      'taux-projet-personnalise',
      'taux-evenement-agenda',
    ]);
  });

  it('targets, Measures and their descriptions all come from it', () => {
    expect(TARGETS).toEqual({
      'taux-dossiers-actifs': 90,
      'taux-projet-personnalise': 90,
      'taux-evenement-agenda': 90,
      'taux-mssante': 70,
      'taux-dmp': 70,
    });
    for (const measure of MEASURES) {
      const definition = INDICATORS[measure.id as keyof typeof INDICATORS];
      expect(measure.title).toBe(definition.title);
      expect(measure.name).toBe(definition.name);
      expect(measure.description).toBe(definition.description);
      expect(measure.scoring?.coding?.[0]?.code).toBe(definition.scoring);
      if (definition.kind === 'rate') {
        expect(definition.description).toMatch(new RegExp(`Cible : ${definition.target} %\\.$`));
        expect(measure.guidance).toContain(`Cible : ${definition.target} %`);
        expect(measure.group?.[0]?.population?.[1]?.description).toBe(
          POPULATIONS[definition.denominator].description,
        );
      } else {
        expect(measure.guidance).toBeUndefined();
      }
    }
  });

  it('keeps the titles of the call for projects, the projet personnalisé and agenda ones over active dossiers', () => {
    expect(INDICATORS['taux-projet-personnalise'].title).toBe(
      'Taux de dossiers actifs avec un projet personnalisé',
    );
    expect(INDICATORS['taux-evenement-agenda'].title).toBe(
      'Taux de dossiers actifs ayant au moins un événement dans l’agenda',
    );
    expect(INDICATORS['taux-projet-personnalise'].denominator).toBe('active-dossiers');
    expect(INDICATORS['taux-mssante'].scoring).toBe('ratio');
  });

  it('names every measure for each reader: a heading never abbreviated, a short and a terse title', () => {
    for (const id of MEASURE_IDS) {
      const { heading, shortTitle, terseTitle } = INDICATORS[id];
      expect(heading).not.toMatch(/\.$/);
      expect(shortTitle.length).toBeLessThanOrEqual(heading.length);
      expect(terseTitle.length).toBeGreaterThan(0);
    }
    expect(INDICATORS['taux-projet-personnalise'].heading).toBe('Projet personnalisé');
    expect(INDICATORS['taux-projet-personnalise'].shortTitle).toBe('Projet perso.');
  });

  it('is frozen: a consumer cannot change a target for everyone', () => {
    expect(Object.isFrozen(INDICATORS)).toBe(true);
    expect(Object.isFrozen(INDICATORS['taux-dmp'])).toBe(true);
    expect(Object.isFrozen(TARGETS)).toBe(true);
  });
});
