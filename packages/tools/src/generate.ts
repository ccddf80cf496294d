import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ToolsError } from './errors.js';
import { buildEstablishments, targetResourcesOf, type DatasetSize } from './establishments.js';
import { GENERATED_RESOURCE_TYPES, type GeneratedResourceType } from './fhir-vocabulary.js';
import { dayIndexOf, localToEpochMs } from './local-time.js';
import { DEFAULT_LINES_PER_FILE, RotatingNdjsonWriter, type WrittenFile } from './ndjson-writer.js';
import type { RecordCounter } from '@esms-numerique/agent/tools-support';
import { EXPORT_DELAY_DAYS, type Clock } from './generator-model.js';
import { organisationGestionnaire, establishment } from './organization-resources.js';
import { simulatePerson } from './simulate-person.js';

/** Defaults of `pnpm generate` (issue 5). */
export const DEFAULT_SIZE: DatasetSize = 'S';
export const DEFAULT_SEED = 1;
export const DEFAULT_MEASURE_DATE = '2024-04-01';

export interface GenerateOptions {
  size?: DatasetSize | undefined;
  seed?: number | undefined;
  /** Output directory; written atomically (a temporary sibling renamed at the end). */
  outDir: string;
  measureDate?: string | undefined;
  /** Exact number of persons instead of the size's resource target (tests use a handful). */
  persons?: number | undefined;
  linesPerFile?: number | undefined;
  /** Told of each resource written, by type (the progress display of `pnpm generate`). */
  progress?: RecordCounter | undefined;
}

/** What was written, also saved as `expected-sizes.json`. */
export interface GenerateSummary {
  size: DatasetSize;
  seed: number;
  measureDate: string;
  transactionTime: string;
  persons: number;
  organisations: number;
  establishments: number;
  resources: Record<string, number>;
  total: number;
  files: WrittenFile[];
}

/**
 * Generates a synthetic DUI export: NDJSON per resource type as a FHIR Bulk Data export, a
 * `manifest.json` and `expected-sizes.json`. Streams person by person: memory does not grow with size.
 * Deterministic for (size, seed, measureDate, persons).
 */
export async function generateDataset(options: GenerateOptions): Promise<GenerateSummary> {
  const size = options.size ?? DEFAULT_SIZE;
  const seed = options.seed ?? DEFAULT_SEED;
  const measureDate = options.measureDate ?? DEFAULT_MEASURE_DATE;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(measureDate)) {
    throw new ToolsError('bad-usage', `measure date must be YYYY-MM-DD, got ${measureDate}`);
  }
  const outDir = resolve(options.outDir);
  const tmpDir = `${outDir}.tmp-${process.pid}`;
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  const measureDay = dayIndexOf(measureDate);
  const exportDay = measureDay + EXPORT_DELAY_DAYS;
  const clock: Clock = { measureDay, exportDay, exportMs: localToEpochMs('Europe/Paris', exportDay, 6 * 60) };
  const transactionTime = new Date(clock.exportMs).toISOString();
  const { ogs, essms } = buildEstablishments(size, seed);

  const writers = new Map<GeneratedResourceType, RotatingNdjsonWriter>();
  for (const type of GENERATED_RESOURCE_TYPES) {
    writers.set(type, new RotatingNdjsonWriter(tmpDir, type, options.linesPerFile ?? DEFAULT_LINES_PER_FILE));
  }
  const out = (type: GeneratedResourceType): RotatingNdjsonWriter => {
    const writer = writers.get(type);
    if (writer === undefined) throw new ToolsError('io', `no writer for ${type}`);
    options.progress?.recordsRead(type, 1);
    return writer;
  };
  const total = (): number => [...writers.values()].reduce((sum, w) => sum + w.count, 0);

  for (const og of ogs) await out('Organization').write(organisationGestionnaire(og, clock));
  for (const e of essms) await out('Organization').write(establishment(e, clock));

  const target = targetResourcesOf(size);
  const weights = essms.map((e) => e.personWeight);
  let persons = 0;
  while (options.persons === undefined ? total() < target : persons < options.persons) {
    const resources = simulatePerson(persons, seed, essms, weights, clock);
    for (const resource of resources)
      await out(resource.resourceType as GeneratedResourceType).write(resource);
    persons++;
  }

  const files: WrittenFile[] = [];
  const counts: Record<string, number> = {};
  for (const [type, writer] of writers) {
    files.push(...(await writer.close()));
    counts[type] = writer.count;
  }
  const summary: GenerateSummary = {
    size,
    seed,
    measureDate,
    transactionTime,
    persons,
    organisations: ogs.length,
    establishments: essms.length,
    resources: counts,
    total: total(),
    files,
  };
  const manifest = {
    transactionTime,
    request: `synthetic $export (esms-numerique tools generator, size ${size}, seed ${seed}, measure date ${measureDate})`,
    requiresAccessToken: false,
    output: files.map((f) => ({ type: f.type, url: f.file, count: f.count })),
    error: [],
  };
  await writeFile(join(tmpDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(tmpDir, 'expected-sizes.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await mkdir(dirname(outDir), { recursive: true });
  await rm(outDir, { recursive: true, force: true });
  await rename(tmpDir, outDir);
  return summary;
}
