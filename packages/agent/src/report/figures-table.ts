import { rollUpOrganisation } from '@esms-numerique/sdk';
import {
  RATE_INDICATORS,
  type EstablishmentResultLike,
  type IndicatorResultsLike,
  type RateIndicator,
  type RateResultLike,
} from '../evidence/recompute.js';
import type { Cell, Table, TableRow } from './attestation-model.js';
import { territoryWithOffset } from './french/dates.js';
import { frenchInteger } from './french/plural.js';
import { frenchPercent, frenchTarget } from './french/typography.js';
import { INDICATOR_COLUMN_LABELS } from './labels.js';
import type { OrganisationGroup } from './build-attestation.js';
import { displayName } from './attestation-statement.js';
import { DUI, USAGE, MET, UNMET, NO_RATE, UNVERIFIED } from './attestation-cells.js';

/**
 * The ESSMS table: the three DUI indicators, the VA verdict, then MSSanté and DMP; the organisation's
 * total. Figures whose evidence does not verify are shown as read, marked "non vérifié", never judged
 * against their target (no ✓ on a figure that may have been tampered with).
 */
export function figuresTable(group: OrganisationGroup, showTerritory: boolean, verified: boolean): Table {
  const cellOf = (r: RateResultLike): Cell => (verified ? rateCell(r) : unverifiedCell(r));
  const vaCell = (ok: boolean, main: string): Cell =>
    verified ? { small: '', main, tone: ok ? 'ok' : 'ko' } : { small: '', main: UNVERIFIED, tone: 'neutral' };
  const headers = [
    { title: 'ESSMS', subtitle: 'FINESS géographique' },
    ...DUI.map((id) => ({ title: INDICATOR_COLUMN_LABELS[id], subtitle: `cible ${targetOf(group, id)}` })),
    { title: 'Vérification d’Aptitude', subtitle: 'trois indicateurs non nuls' },
    ...USAGE.map((id) => ({ title: INDICATOR_COLUMN_LABELS[id], subtitle: `cible ${targetOf(group, id)}` })),
  ];
  const rows: TableRow[] = group.establishments.map((e) => ({
    title: displayName(e.name) ?? 'ESSMS sans nom',
    subtitle: showTerritory ? `${e.finess} · ${territoryWithOffset(e.timezone, e.period)}` : e.finess,
    cells: [
      ...DUI.map((id) => cellOf(e.indicators[id])),
      vaCell(e.vaReady, e.vaReady ? `${MET} oui` : `${UNMET} non`),
      ...USAGE.map((id) => cellOf(e.indicators[id])),
    ],
    total: false,
  }));
  if (group.establishments.length > 1) {
    const totals = totalsOf(group);
    const ready = group.establishments.filter((e) => e.vaReady).length;
    rows.push({
      title: group.organisation === null ? 'Ensemble de ces ESSMS' : 'Ensemble de l’organisme',
      subtitle: 'taux pondérés (sommes des numérateurs et des dénominateurs)',
      cells: [
        ...DUI.map((id) => cellOf(totals[id])),
        vaCell(ready === group.establishments.length, `${ready} sur ${group.establishments.length}`),
        ...USAGE.map((id) => cellOf(totals[id])),
      ],
      total: true,
    });
  }
  return { headers, rows };
}

function targetOf(group: OrganisationGroup, id: RateIndicator): string {
  return frenchTarget(group.establishments[0]?.indicators[id].target ?? 0);
}

export function rateCell(r: RateResultLike, withCounts = true): Cell {
  const small = withCounts ? `${frenchInteger(r.numerator)} / ${frenchInteger(r.denominator)}` : '';
  if (r.rate === null) return { small, main: NO_RATE, tone: 'ko' };
  return { small, main: `${frenchPercent(r.rate)} ${r.met ? MET : UNMET}`, tone: r.met ? 'ok' : 'ko' };
}

/** A figure of evidence that does not verify: as read, no symbol, no colour, marked as such. */
export function unverifiedCell(r: RateResultLike, withCounts = true): Cell {
  const small = withCounts ? `${frenchInteger(r.numerator)} / ${frenchInteger(r.denominator)}` : '';
  return { small, main: `${frenchPercent(r.rate)} ${UNVERIFIED}`, tone: 'neutral' };
}

export function unverifiedNotes(): string[] {
  return [
    `Chiffres NON vérifiés : ils sont reproduits tels que lus dans les preuves, qui ne les garantissent pas ; ils ne sont comparés à aucune cible (${UNVERIFIED}). Au-dessus de chaque taux : numérateur / dénominateur.`,
  ];
}

/** The organisation's weighted rates, or, for ESSMS without one, the SDK's roll-up rule over them. */
function totalsOf(group: OrganisationGroup): Record<RateIndicator, RateResultLike> {
  if (group.organisation !== null) return pickRates(group.organisation.indicators);
  return summedRates(group.establishments);
}

/** Numerators and denominators summed, then divided (never an average of rates): the SDK's roll-up. */
export function summedRates(
  members: readonly EstablishmentResultLike[],
): Record<RateIndicator, RateResultLike> {
  return pickRates(rollUpOrganisation({ finess: '', name: null }, members).indicators);
}

export function pickRates(indicators: IndicatorResultsLike): Record<RateIndicator, RateResultLike> {
  return Object.fromEntries(RATE_INDICATORS.map((id) => [id, indicators[id]])) as Record<
    RateIndicator,
    RateResultLike
  >;
}
