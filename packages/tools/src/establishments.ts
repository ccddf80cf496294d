import { makeFiness, timeZoneOfFiness } from './finess.js';
import { Rng, deriveSeed } from './prng.js';

/** Dataset sizes of issue 5: S ≈ 10k resources, M ≈ 100k, L ≈ 1M, XL ≈ 5M. */
export type DatasetSize = 'S' | 'M' | 'L' | 'XL';
export const DATASET_SIZES: readonly DatasetSize[] = ['S', 'M', 'L', 'XL'];

/** The kinds of ESSMS the generator models, with what drives their records. */
export type EssmsKind = 'EHPAD' | 'SSIAD' | 'IME' | 'SESSAD' | 'FAM' | 'FOYER-DE-VIE';

interface KindSpec {
  label: string;
  capacity: readonly [number, number];
  age: readonly [number, number];
  /** Length of stay in days, drawn log-uniformly: months for home services, years for residences. */
  stayDays: readonly [number, number];
  /** Home-based services work on weekdays and often record stays as EpisodeOfCare. */
  homeBased: boolean;
  episodeOfCareShare: number;
  ePrescription: boolean;
  weight: number;
}

export const KIND_SPECS: Record<EssmsKind, KindSpec> = {
  EHPAD: {
    label: 'EHPAD',
    capacity: [50, 120],
    age: [70, 101],
    stayDays: [60, 2500],
    homeBased: false,
    episodeOfCareShare: 0,
    ePrescription: true,
    weight: 35,
  },
  SSIAD: {
    label: 'SSIAD',
    capacity: [30, 90],
    age: [62, 98],
    stayDays: [20, 400],
    homeBased: true,
    episodeOfCareShare: 0.5,
    ePrescription: true,
    weight: 20,
  },
  IME: {
    label: 'IME',
    capacity: [40, 90],
    age: [6, 20],
    stayDays: [365, 3000],
    homeBased: false,
    episodeOfCareShare: 0,
    ePrescription: false,
    weight: 15,
  },
  SESSAD: {
    label: 'SESSAD',
    capacity: [25, 60],
    age: [3, 20],
    stayDays: [180, 1500],
    homeBased: true,
    episodeOfCareShare: 0.6,
    ePrescription: false,
    weight: 12,
  },
  FAM: {
    label: "Foyer d'accueil médicalisé",
    capacity: [25, 60],
    age: [20, 65],
    stayDays: [365, 5000],
    homeBased: false,
    episodeOfCareShare: 0,
    ePrescription: true,
    weight: 10,
  },
  'FOYER-DE-VIE': {
    label: 'Foyer de vie',
    capacity: [25, 50],
    age: [20, 65],
    stayDays: [365, 5000],
    homeBased: false,
    episodeOfCareShare: 0,
    ePrescription: false,
    weight: 8,
  },
};
const KINDS = Object.keys(KIND_SPECS) as EssmsKind[];

type Region = 'metropole' | 'reunion' | 'antilles-guyane' | 'mayotte';

/** Department + territory prefixes (`makeFiness`) of each region; Corsica (`2A`) is format-only. */
const REGION_PREFIXES: Record<Region, readonly string[]> = {
  metropole: ['75', '13', '69', '33', '59', '35', '67', '31', '44', '34', '2A'],
  reunion: ['974'],
  'antilles-guyane': ['971', '972', '973'],
  mayotte: ['985'],
};

const OG_NAMES: Record<Region, string> = {
  metropole: 'Association Les Chemins de Traverse',
  reunion: 'Association Réunionnaise Les Filaos',
  'antilles-guyane': 'Fondation Caraïbes Solidarité',
  mayotte: 'Association Mahoraise Ylang',
};

const PLACE_NAMES: readonly string[] = [
  'Les Tilleuls',
  'Les Glycines',
  'Le Clos Fleuri',
  'Les Hibiscus',
  'Les Flamboyants',
  'La Source',
  'Le Bois Joli',
  'Les Alizés',
  'Le Grand Chêne',
  'Les Vergers',
  'Bel Air',
  'Les Lataniers',
];

/** Per size: the organismes gestionnaires (region and number of ESSMS) and the resource target. */
const SIZE_LAYOUT: Record<
  DatasetSize,
  { targetResources: number; ogs: readonly (readonly [Region, number])[]; emptyEssms: number }
> = {
  S: {
    targetResources: 10_000,
    ogs: [
      ['metropole', 3],
      ['reunion', 1],
      ['antilles-guyane', 1],
    ],
    emptyEssms: 0,
  },
  M: {
    targetResources: 100_000,
    ogs: [
      ['metropole', 8],
      ['reunion', 4],
      ['antilles-guyane', 3],
    ],
    emptyEssms: 1,
  },
  L: {
    targetResources: 1_000_000,
    ogs: [
      ['metropole', 70],
      ['reunion', 25],
      ['antilles-guyane', 15],
      ['mayotte', 10],
    ],
    emptyEssms: 1,
  },
  XL: {
    targetResources: 5_000_000,
    ogs: [
      ['metropole', 90],
      ['metropole', 50],
      ['reunion', 30],
      ['antilles-guyane', 20],
      ['mayotte', 10],
    ],
    emptyEssms: 2,
  },
};

export function targetResourcesOf(size: DatasetSize): number {
  return SIZE_LAYOUT[size].targetResources;
}

export interface OrganismeGestionnaire {
  id: string;
  finessJuridique: string;
  name: string;
}

/** One synthetic ESSMS and the adoption levels that shape its indicators. */
export interface Essms {
  index: number;
  id: string;
  finess: string;
  timeZone: string;
  kind: EssmsKind;
  name: string;
  og: OrganismeGestionnaire;
  ogEssmsIndexes: number[];
  capacity: number;
  /** Relative number of persons accompanied over the history (capacity × turnover); 0 for a new service. */
  personWeight: number;
  agendaAdoption: number;
  projetAdoption: number;
  hasAuditLog: boolean;
  mssantePerPersonMonth: number;
  dmpPerPersonMonth: number;
  ePrescriptionPerPersonMonth: number;
  eParcoursPerPersonMonth: number;
}

/** Builds the organismes gestionnaires and their ESSMS for a size, deterministically from the seed. */
export function buildEstablishments(
  size: DatasetSize,
  seed: number,
): { ogs: OrganismeGestionnaire[]; essms: Essms[] } {
  const rng = new Rng(deriveSeed(seed, 'establishments', size));
  const layout = SIZE_LAYOUT[size];
  const ogs: OrganismeGestionnaire[] = [];
  const essms: Essms[] = [];
  let serial = 100 + rng.int(0, 800);
  layout.ogs.forEach(([region, count], ogIndex) => {
    const prefixes = REGION_PREFIXES[region];
    const ogPrefix = prefixes[0] ?? '75';
    serial += rng.int(1, 40);
    const og: OrganismeGestionnaire = {
      id: `og-${ogIndex + 1}`,
      finessJuridique: makeFiness(ogPrefix, serial),
      name: ogIndex === 0 || region !== 'metropole' ? OG_NAMES[region] : `${OG_NAMES[region]} ${ogIndex + 1}`,
    };
    ogs.push(og);
    const members: number[] = [];
    const emptyHere = ogIndex === 0 ? layout.emptyEssms : 0;
    for (let k = 0; k < count + emptyHere; k++) {
      const kind =
        k < count ? (KINDS[rng.weightedIndex(KINDS.map((x) => KIND_SPECS[x].weight))] ?? 'EHPAD') : 'SESSAD';
      const spec = KIND_SPECS[kind];
      // Spread over the region's departments, but never leave Corsica (format-only keys) as the first one.
      const prefix = prefixes[k % prefixes.length] ?? ogPrefix;
      serial += rng.int(1, 60);
      const finess = makeFiness(prefix, serial);
      const capacity = rng.int(spec.capacity[0], spec.capacity[1]);
      const meanStay = Math.sqrt(spec.stayDays[0] * spec.stayDays[1]);
      const index = essms.length;
      members.push(index);
      essms.push({
        index,
        id: `essms-${index + 1}`,
        finess,
        timeZone: timeZoneOfFiness(finess),
        kind,
        name: `${spec.label} ${rng.pick(PLACE_NAMES)}`,
        og,
        ogEssmsIndexes: members,
        capacity,
        // A new service (opened after the measurement date) has nobody yet: it is still reported.
        personWeight: k < count ? capacity * (1 + 730 / meanStay) : 0,
        agendaAdoption: rng.float(0.72, 1),
        projetAdoption: rng.float(0.9, 1),
        hasAuditLog: rng.chance(0.65),
        mssantePerPersonMonth: rng.float(0.05, 1.2),
        dmpPerPersonMonth: rng.float(0.08, 0.8),
        ePrescriptionPerPersonMonth: spec.ePrescription ? rng.float(0.2, 1.2) : 0,
        eParcoursPerPersonMonth: rng.float(0, 0.15),
      });
    }
  });
  return { ogs, essms };
}
