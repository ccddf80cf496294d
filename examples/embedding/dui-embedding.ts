/**
 * Embedding example for a DUI editor: your database rows → FHIR R4 resources and usage events → the SDK.
 *
 * A DUI rarely stores FHIR. What it has are tables: usagers, séjours (admissions), agenda entries,
 * projets personnalisés, and a log of what it sent (MSSanté messages, DMP feeds). This file maps such rows
 * into the TDDUI-shaped resources the engine recognises, streams them (a generator: nothing is kept in
 * memory), and prints the indicators for one ESSMS. Run it with:
 *
 *   pnpm build && pnpm exec tsx examples/embedding/dui-embedding.ts
 */
import type { CarePlan, Encounter, Organization, Patient } from 'fhir/r4.js';
import {
  computeIndicators,
  IDENTIFIER_SYSTEMS,
  RATE_INDICATOR_IDS,
  TDDUI_PROFILES,
  usageEvents,
  type Computation,
} from '@esms-numerique/sdk';

// ---- What the DUI's own database holds (normally: SQL queries with cursors) -------------------------
export interface UsagerRow {
  id: number;
  ins: string | null;
  updatedAt: string;
}
export interface AdmissionRow {
  id: number;
  usagerId: number;
  entree: string;
  sortie: string | null;
  annulee: boolean;
}
export interface RendezVousRow {
  id: number;
  admissionId: number;
  usagerId: number;
  debut: string;
  etat: 'prevu' | 'realise' | 'annule';
}
export interface ProjetRow {
  id: number;
  usagerId: number;
  etat: 'ENPREPARATION' | 'ENCOURS' | 'ENPAUSE' | 'TERMINE';
  creeLe: string;
}
export interface EnvoiRow {
  id: number;
  usagerId: number | null;
  canal: 'mssante' | 'dmp';
  envoyeLe: string;
  ok: boolean;
}

export interface DuiDatabase {
  finess: string;
  name: string;
  usagers: Iterable<UsagerRow>;
  admissions: Iterable<AdmissionRow>;
  rendezVous: Iterable<RendezVousRow>;
  projets: Iterable<ProjetRow>;
  envois: Iterable<EnvoiRow>;
}

const ORGANIZATION_ID = 'essms';

// TDDUI status mapping (data-model.md): ENPREPARATION → draft, ENCOURS → active, ENPAUSE → on-hold, TERMINE → completed.
const PROJET_STATUS = {
  ENPREPARATION: 'draft',
  ENCOURS: 'active',
  ENPAUSE: 'on-hold',
  TERMINE: 'completed',
} as const;
const RDV_STATUS = { prevu: 'planned', realise: 'finished', annule: 'cancelled' } as const;

/** Maps the DUI's rows into FHIR resources, one at a time. */
export function* toFhir(db: DuiDatabase): Generator<unknown> {
  const organization: Organization = {
    resourceType: 'Organization',
    id: ORGANIZATION_ID,
    identifier: [
      { system: IDENTIFIER_SYSTEMS.finess, value: db.finess, type: { coding: [{ code: 'FINEG' }] } },
    ],
    name: db.name,
  };
  yield organization;
  for (const u of db.usagers) {
    const patient: Patient = {
      resourceType: 'Patient',
      id: `u${u.id}`,
      meta: { lastUpdated: u.updatedAt },
      identifier: [
        { system: IDENTIFIER_SYSTEMS.localUsager, value: `3${db.finess}/${u.id}` },
        ...(u.ins === null
          ? []
          : [
              {
                system: IDENTIFIER_SYSTEMS.insNir,
                value: u.ins,
                type: {
                  coding: [
                    { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR' },
                  ],
                },
              },
            ]),
      ],
    };
    yield patient;
  }
  for (const a of db.admissions) {
    const sejour: Encounter = {
      resourceType: 'Encounter',
      id: `s${a.id}`,
      meta: { profile: [TDDUI_PROFILES.sejour] },
      status: a.annulee ? 'cancelled' : a.sortie === null ? 'in-progress' : 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
      subject: { reference: `Patient/u${a.usagerId}` },
      serviceProvider: { reference: `Organization/${ORGANIZATION_ID}` },
      period: { start: a.entree, ...(a.sortie === null ? {} : { end: a.sortie }) },
    };
    yield sejour;
  }
  for (const r of db.rendezVous) {
    const evenement: Encounter = {
      resourceType: 'Encounter',
      id: `e${r.id}`,
      meta: { profile: [TDDUI_PROFILES.evenement] },
      status: RDV_STATUS[r.etat],
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
      subject: { reference: `Patient/u${r.usagerId}` },
      partOf: { reference: `Encounter/s${r.admissionId}` },
      period: { start: r.debut },
    };
    yield evenement;
  }
  for (const p of db.projets) {
    const projet: CarePlan = {
      resourceType: 'CarePlan',
      id: `pp${p.id}`,
      meta: { profile: [TDDUI_PROFILES.projetPersonnalise] },
      status: PROJET_STATUS[p.etat],
      intent: 'plan',
      subject: { reference: `Patient/u${p.usagerId}` },
      created: p.creeLe,
    };
    yield projet;
  }
  // The DUI's send log becomes usage events (one builder call each).
  for (const e of db.envois) {
    const common = {
      id: `${e.canal}-${e.id}`,
      recorded: e.envoyeLe,
      establishment: { organizationId: ORGANIZATION_ID },
      success: e.ok,
    };
    if (e.canal === 'mssante') {
      yield usageEvents.mssanteMessageSent({
        ...common,
        ...(e.usagerId === null ? {} : { patientId: `u${e.usagerId}` }),
      });
    } else if (e.usagerId !== null) {
      yield usageEvents.dmpDocumentFed({ ...common, patientId: `u${e.usagerId}` });
    }
  }
}

/** What the editor calls, e.g. behind a "Indicateurs ESMS numérique" screen. */
export async function computeForDui(db: DuiDatabase, measureDate: string): Promise<Computation> {
  return computeIndicators(toFhir(db), { measureDate });
}

/** A tiny in-memory DUI, standing in for the editor's database. */
export function sampleDatabase(): DuiDatabase {
  return {
    finess: '970400024',
    name: 'EHPAD Les Filaos',
    usagers: [
      { id: 1, ins: '255089912345678', updatedAt: '2024-02-10T09:00:00+04:00' },
      { id: 2, ins: null, updatedAt: '2024-03-02T16:30:00+04:00' },
      { id: 3, ins: '180012512345612', updatedAt: '2023-06-01T10:00:00+04:00' },
    ],
    admissions: [
      { id: 10, usagerId: 1, entree: '2022-09-01', sortie: null, annulee: false },
      { id: 11, usagerId: 2, entree: '2024-01-15', sortie: null, annulee: false },
      { id: 12, usagerId: 3, entree: '2021-03-01', sortie: '2024-01-31', annulee: false },
    ],
    rendezVous: [
      { id: 100, admissionId: 10, usagerId: 1, debut: '2024-03-12T10:00:00+04:00', etat: 'realise' },
      { id: 101, admissionId: 11, usagerId: 2, debut: '2024-02-20T14:00:00+04:00', etat: 'annule' },
    ],
    projets: [
      { id: 1000, usagerId: 1, etat: 'ENCOURS', creeLe: '2023-10-01' },
      { id: 1001, usagerId: 2, etat: 'ENPAUSE', creeLe: '2024-02-01' },
    ],
    envois: [
      { id: 1, usagerId: 1, canal: 'mssante', envoyeLe: '2024-01-20T08:00:00+04:00', ok: true },
      { id: 2, usagerId: null, canal: 'mssante', envoyeLe: '2024-02-21T08:00:00+04:00', ok: true },
      { id: 3, usagerId: 2, canal: 'dmp', envoyeLe: '2024-03-05T11:00:00+04:00', ok: true },
      { id: 4, usagerId: 2, canal: 'dmp', envoyeLe: '2024-03-06T11:00:00+04:00', ok: false },
    ],
  };
}

// Run directly: print the figures of the sample DUI.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { results } = await computeForDui(sampleDatabase(), '2024-04-01');
  for (const e of results.establishments) {
    console.log(`${e.finess} ${e.name ?? ''} — période ${e.period.start} → ${e.period.end} (${e.timezone})`);
    for (const id of RATE_INDICATOR_IDS) {
      const r = e.indicators[id];
      console.log(`  ${id}: ${r.numerator}/${r.denominator} = ${r.rate ?? '—'} % (cible ${r.target} %)`);
    }
  }
}
