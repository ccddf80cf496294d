import { describe, expect, it } from 'vitest';
import type { VerificationCheck } from '../../evidence/verification-report.js';
import { frenchQualityGroups, frenchVerificationFinding, frenchVerificationSummary } from './findings.js';

const CHECKS: VerificationCheck[] = [
  'input',
  'public-key',
  'wrong-key',
  'journal',
  'entry-format',
  'incomplete-last-entry',
  'seq',
  'prev-hash',
  'hash',
  'signature',
  'blob-missing',
  'blob-digest',
  'projection',
  'recompute',
  'results',
  'submission',
  'subjects',
  'receipt',
  'measures',
  'retention',
];

describe('findings in French', () => {
  it('says every verification check in French, with the entry concerned', () => {
    expect(frenchVerificationFinding({ seq: 3, check: 'hash', severity: 'error' })).toBe(
      'Problème, entrée n° 3 : le contenu de l’entrée ne correspond plus à son empreinte : l’entrée a été modifiée',
    );
    expect(frenchVerificationFinding({ seq: null, check: 'wrong-key', severity: 'error' })).toBe(
      'Problème : les preuves sont signées avec une autre clé que la clé attendue',
    );
    for (const check of CHECKS) {
      const text = frenchVerificationFinding({ seq: 1, check, severity: 'warning' });
      expect(text).toMatch(/^Avertissement, entrée n° 1 : [a-zé]/);
      // No English left: the agent's English messages never reach the report.
      expect(text).not.toMatch(/\b(the|is|entry|missing|does not)\b/);
    }
  });

  it('says a check failing on several entries once, naming the entries, errors first', () => {
    expect(
      frenchVerificationSummary([
        { seq: null, check: 'retention', severity: 'warning' },
        { seq: 5, check: 'signature', severity: 'error' },
        { seq: 3, check: 'signature', severity: 'error' },
        { seq: 7, check: 'signature', severity: 'error' },
      ]),
    ).toEqual([
      'Problème, entrées n° 3, 5 et 7 : la signature de l’entrée n’est pas valide',
      'Avertissement : des entrées sont plus anciennes que la durée de conservation configurée (rien n’est supprimé)',
    ]);
  });

  it('groups data-quality findings by code, in French, with their count and agreement', () => {
    const groups = frenchQualityGroups({
      errors: [
        { code: 'period-missing', resourceType: 'Encounter', id: 'a', message: 'x' },
        { code: 'period-missing', resourceType: 'Encounter', id: 'b', message: 'x' },
      ],
      warnings: [
        { code: 'history-missing', count: 279, message: 'x' },
        { code: 'duplicate-person', message: 'x' },
        { code: 'something-new', message: 'x' },
      ],
    });
    expect(groups.map((g) => [g.severity, g.code, g.total])).toEqual([
      ['error', 'period-missing', 2],
      ['warning', 'duplicate-person', 1],
      ['warning', 'history-missing', 279],
      ['warning', 'something-new', 1],
    ]);
    expect(groups[0]?.text).toBe('2 enregistrements de séjour sans date de début, non comptés');
    expect(groups[1]?.text).toMatch(
      /^1 personne enregistrée deux fois avec le même INS, comptée une seule fois/,
    );
    expect(groups[2]?.text).toMatch(/^279 enregistrements modifiés après la fin de la période/);
    expect(groups[3]?.text).toBe('1 constat de type « something-new »');
  });

  it('names the ESSMS a per-ESSMS finding concerns, counted once per ESSMS (issue 11 A5)', () => {
    const names = new Map<string, string | null>([['130007313', "Foyer d'accueil Les Glycines"]]);
    const groups = frenchQualityGroups(
      {
        errors: [],
        warnings: [
          { code: 'empty-denominator', finess: '130007313', message: 'x' },
          { code: 'establishment-not-configured', finess: '690007356', message: 'x' },
        ],
      },
      names,
    );
    expect(groups.map((g) => g.text)).toEqual([
      '1 ESSMS sans aucune personne ou aucun dossier actif au dénominateur : ses taux concernés ne sont pas calculables : Foyer d’accueil Les Glycines (130007313)',
      '1 ESSMS présent dans les données mais absent de la configuration : ni scellé, ni transmis : FINESS 690007356',
    ]);
    const many = frenchQualityGroups({
      errors: [],
      warnings: Array.from({ length: 10 }, (_, i) => ({
        code: 'establishment-not-configured',
        finess: `69000735${i}`,
      })),
    });
    expect(many[0]?.total).toBe(10);
    expect(many[0]?.text).toMatch(/: FINESS 690007350, .* FINESS 690007357 et 2 autres$/);
  });

  it('a modified entry is said once: not also as a removed or moved one (issue 11 A5)', () => {
    expect(
      frenchVerificationSummary([
        { seq: 3, check: 'hash', severity: 'error' },
        { seq: 4, check: 'prev-hash', severity: 'error' },
      ]),
    ).toEqual([
      'Problème, entrée n° 3 : le contenu de l’entrée ne correspond plus à son empreinte : l’entrée a été modifiée',
    ]);
    // A broken link with no modified entry before it is still said.
    expect(frenchVerificationSummary([{ seq: 4, check: 'prev-hash', severity: 'error' }])[0]).toMatch(
      /entrée n° 4 : le chaînage avec l’entrée précédente est rompu/,
    );
  });
});
