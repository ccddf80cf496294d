/**
 * indicators.md "The five mandatory indicators", and below it: rates are `100 × numerator / denominator`.
 * With a zero denominator the rate is `null` (not 0, not 100), the target is not met, and a warning says
 * why. `met` compares the exact rate with the target (89.96 % is not met though it displays as 90.0).
 *
 * Each rate is one rule of rules/ (its decision for a person at an ESSMS) over one population of the
 * registry: the persons accompanied (per `denominatorScope`) or the active dossiers.
 */
import type { Findings } from '../data-quality.js';
import { compareText } from '../order.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import type { IndicatorResults, DenominatorScope, RateResult } from '../results.js';
import { agendaEventRule } from '../rules/agenda-event.js';
import { dmpRule } from '../rules/dmp.js';
import { mssanteRule } from '../rules/mssante.js';
import { projetPersonnaliseRule } from '../rules/projet-personnalise.js';
import type { RateRule } from '../rules/rule.js';
import { updatedRule } from '../rules/updated.js';
import { INDICATORS, RATE_INDICATOR_IDS, type RateIndicatorId } from './registry.js';

/** The rule that decides each rate's numerator. */
export const RATE_RULES: { readonly [K in RateIndicatorId]: RateRule } = {
  'taux-dossiers-actifs': updatedRule,
  'taux-projet-personnalise': projetPersonnaliseRule,
  'taux-evenement-agenda': agendaEventRule,
  'taux-mssante': mssanteRule,
  'taux-dmp': dmpRule,
};

export function rate(numerator: number, denominator: number, target: number): RateResult {
  if (denominator === 0) return { numerator, denominator, rate: null, target, met: false };
  return {
    numerator,
    denominator,
    rate: Math.round((1000 * numerator) / denominator) / 10,
    target,
    // Exact comparison on integers: 89.96 % is not met even though it displays as 90.0.
    met: numerator * 100 >= target * denominator,
  };
}

/** The persons behind one ESSMS's rates, each list sorted. */
export interface RateLists {
  /** Persons accompanied, per `denominatorScope`: the denominator of the rates over them. */
  personsAccompanied: string[];
  /** Active dossiers: the persons accompanied (per `denominatorScope`) whose dossier was updated in P. */
  activeDossiers: string[];
  /** The numerator of each rate over persons (absent for `taux-mssante`, which counts messages). */
  numerators: Partial<Record<RateIndicatorId, string[]>>;
}

/** The five rates of one ESSMS, and the lists of persons behind them. */
export function establishmentRates(
  e: Establishment,
  persons: ReadonlyMap<string, Person>,
  scope: DenominatorScope,
): { rates: Pick<IndicatorResults, RateIndicatorId>; lists: RateLists } {
  const get = (id: string): Person => persons.get(id)!;
  const personsAccompanied = sortedIds(scope === 'period' ? e.accompaniedInPeriod : e.accompaniedInYear);
  // Every numerator is drawn from its denominator's population, its conditions ("in P") unchanged: with
  // `calendar-year`, a person accompanied in P but not in the year (left in December of the year before)
  // is in no numerator, and one accompanied in the year but not in P (admitted after D) may be.
  const activeDossiers = personsAccompanied.filter((id) => updatedRule.counts(get(id), e));
  const lists: RateLists = { personsAccompanied, activeDossiers, numerators: {} };
  const rates = {} as Record<RateIndicatorId, RateResult>;
  for (const id of RATE_INDICATOR_IDS) {
    const definition = INDICATORS[id];
    const rule = RATE_RULES[id];
    const overActive = definition.denominator === 'active-dossiers';
    const denominator = overActive ? activeDossiers : personsAccompanied;
    if (rule.kind === 'messages') {
      rates[id] = rate(rule.count(e), denominator.length, definition.target);
      continue;
    }
    const numerator = denominator.filter((pid) => rule.counts(get(pid), e));
    lists.numerators[id] = numerator;
    rates[id] = rate(numerator.length, denominator.length, definition.target);
  }
  return { rates, lists };
}

/** The warning that says why rates are `null`: nobody accompanied, or no active dossier. */
export function warnEmptyDenominators(e: Establishment, lists: RateLists, findings: Findings): void {
  if (lists.personsAccompanied.length === 0) {
    findings.warnings.push({
      code: 'empty-denominator',
      finess: e.finess,
      message: 'no person accompanied in the period: rates are null and targets not met',
    });
  } else if (lists.activeDossiers.length === 0) {
    // The denominator of the projet personnalisé and agenda rates is the active dossiers.
    findings.warnings.push({
      code: 'empty-denominator',
      finess: e.finess,
      message:
        'no active dossier (no dossier updated in the period): taux-projet-personnalise and taux-evenement-agenda are null and not met',
    });
  }
}

function sortedIds(set: ReadonlySet<string>): string[] {
  return [...set].sort(compareText);
}
