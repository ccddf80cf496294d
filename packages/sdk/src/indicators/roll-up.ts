/**
 * indicators.md "Roll-up to the organisme gestionnaire": OG figures sum the numerators and denominators of
 * its ESSMS, then divide (a weighted rate, never an average of rates). A person accompanied by two ESSMS
 * of one OG counts in each. An ESSMS without an OG is not rolled up.
 */
import { compareText } from '../order.js';
import type { Establishment } from '../resolve/establishments.js';
import type { EstablishmentResult, IndicatorResults, OrganisationResult } from '../results.js';
import { rate } from './rates.js';
import { RATE_INDICATOR_IDS, TARGETS, type RateIndicatorId } from './registry.js';

/** The organismes gestionnaires of the ESSMS results, sorted by FINESS juridique. */
export function rollUp(
  establishments: readonly EstablishmentResult[],
  names: ReadonlyMap<string, string>,
): OrganisationResult[] {
  const byOrganisation = new Map<string, EstablishmentResult[]>();
  for (const e of establishments) {
    if (e.organisation === null) continue;
    const list = byOrganisation.get(e.organisation) ?? [];
    list.push(e);
    byOrganisation.set(e.organisation, list);
  }
  return [...byOrganisation.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([finess, list]) => rollUpOrganisation({ finess, name: names.get(finess) ?? null }, list));
}

/**
 * One organisme gestionnaire's figures over some of its ESSMS (its members, in the order given): every
 * rate's numerators and denominators summed then divided, counts summed, months added. Exported so that a
 * caller who keeps only some ESSMS (the agent's configured scope) rolls them up by the same rule.
 */
export function rollUpOrganisation(
  organisation: { readonly finess: string; readonly name: string | null },
  members: readonly EstablishmentResult[],
): OrganisationResult {
  const sum = (f: (e: EstablishmentResult) => number): number => members.reduce((acc, e) => acc + f(e), 0);
  const rates = Object.fromEntries(
    RATE_INDICATOR_IDS.map((id: RateIndicatorId) => [
      id,
      rate(
        sum((e) => e.indicators[id].numerator),
        sum((e) => e.indicators[id].denominator),
        TARGETS[id],
      ),
    ]),
  ) as Pick<IndicatorResults, RateIndicatorId>;
  const byMonth: Record<string, number> = {};
  for (const e of members) {
    for (const [month, n] of Object.entries(e.indicators['e-prescriptions-importees'].byMonth)) {
      byMonth[month] = (byMonth[month] ?? 0) + n;
    }
  }
  const since = members.map((e) => e.indicators['echanges-e-parcours'].sinceProjectStart);
  return {
    finess: organisation.finess,
    name: organisation.name,
    establishments: members.map((e) => e.finess),
    indicators: {
      ...rates,
      'e-prescriptions-importees': {
        total: sum((e) => e.indicators['e-prescriptions-importees'].total),
        byMonth,
      },
      'echanges-e-parcours': {
        total: sum((e) => e.indicators['echanges-e-parcours'].total),
        sinceProjectStart: since.some((s) => s === null)
          ? null
          : since.reduce<number>((a, s) => a + (s ?? 0), 0),
      },
    },
    dossiersActifs: sum((e) => e.dossiersActifs),
    fileActive: sum((e) => e.fileActive),
  };
}

/** The name of each organisme gestionnaire, from the first of its ESSMS (by FINESS) that knows it. */
export function organisationNames(establishments: readonly Establishment[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of establishments) {
    if (e.organisation !== null && e.organisationName !== null && !names.has(e.organisation)) {
      names.set(e.organisation, e.organisationName);
    }
  }
  return names;
}
