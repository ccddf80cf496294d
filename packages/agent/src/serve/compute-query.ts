import { isWellFormedFiness, type ComputeOptions, type SdkOptionsError } from '@esms-numerique/sdk';
import {
  CONFIG_OPTION_KEYS,
  computeOptionsFromConfig,
  optionProblems,
  type OptionKeys,
} from '../config/compute-options.js';
import type { LoadedConfig } from '../config/load-config.js';
import { localDateSchema } from '../config/schema-primitives.js';
import { ServeError } from './serve-error.js';

/** What `POST /compute` answers: the results document, summary MeasureReports, or with explanations. */
export interface ComputeRequest {
  options: ComputeOptions;
  format: 'results' | 'measurereport';
  /** `null`: none; `all`: every ESSMS's explanation beside the results; one FINESS: that one, alone. */
  explain: null | { kind: 'all' } | { kind: 'one'; finess: string };
}

const KNOWN = new Set([
  'measureDate',
  'format',
  'explain',
  'denominatorScope',
  'countCancelledEvents',
  'finessMode',
  'timezone',
  'projectStartDate',
  'allCarePlansArePp',
]);

/**
 * The query of `POST /compute`, with the same options as `esms compute` (camelCase names): the config's
 * computation options when the service has one, then the query's. Every problem names its parameter.
 */
export function parseComputeQuery(query: URLSearchParams, loaded: LoadedConfig | null): ComputeRequest {
  for (const name of query.keys()) {
    if (!KNOWN.has(name)) throw bad(name, `unknown parameter "${name}" (known: ${[...KNOWN].join(', ')})`);
  }
  const measureDate = localDate(query, 'measureDate');
  if (measureDate === undefined) throw bad('measureDate', 'measureDate (YYYY-MM-DD) is required');
  const base: ComputeOptions =
    loaded === null ? { measureDate } : computeOptionsFromConfig(loaded.config, measureDate);
  const timezoneOverrides: Record<string, string> = { ...base.timezoneOverrides };
  for (const pair of query.getAll('timezone')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw bad('timezone', `timezone expects FINESS=Zone, got "${pair}"`);
    timezoneOverrides[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const denominatorScope = oneOf(query, 'denominatorScope', ['period', 'calendar-year'] as const);
  const finessMode = oneOf(query, 'finessMode', ['lenient', 'strict'] as const);
  const countCancelledEvents = bool(query, 'countCancelledEvents');
  const allCarePlansArePp = bool(query, 'allCarePlansArePp');
  const projectStartDate = localDate(query, 'projectStartDate');
  const options: ComputeOptions = {
    ...base,
    measureDate,
    ...(denominatorScope === undefined ? {} : { denominatorScope }),
    ...(finessMode === undefined ? {} : { finessMode }),
    ...(countCancelledEvents === undefined ? {} : { countCancelledEvents }),
    ...(allCarePlansArePp === true ? { allCarePlansAreProjetPersonnalise: true } : {}),
    ...(projectStartDate === undefined ? {} : { projectStartDate }),
    timezoneOverrides,
  };
  const format = oneOf(query, 'format', ['results', 'json', 'measurereport'] as const);
  const explainValue = query.get('explain');
  let explain: ComputeRequest['explain'] = null;
  if (explainValue === 'true') explain = { kind: 'all' };
  else if (explainValue !== null && explainValue !== 'false') {
    if (!isWellFormedFiness(explainValue))
      throw bad('explain', `explain expects true, false or a FINESS, got "${explainValue}"`);
    explain = { kind: 'one', finess: explainValue };
  }
  if (explain !== null && format === 'measurereport')
    throw bad(
      'explain',
      'explain and format=measurereport do not go together: summary reports hold no person',
    );
  return { options, format: format === 'measurereport' ? 'measurereport' : 'results', explain };
}

/** The query's names of the SDK's options (`timezone=FINESS=Zone`, not `timezoneOverrides`). */
const QUERY_OPTION_KEYS: OptionKeys = {
  measureDate: 'measureDate',
  denominatorScope: 'denominatorScope',
  countCancelledEvents: 'countCancelledEvents',
  finessMode: 'finessMode',
  timezoneOverrides: 'timezone',
  projectStartDate: 'projectStartDate',
  allCarePlansAreProjetPersonnalise: 'allCarePlansArePp',
};

/**
 * The SDK's refusal of a request's options as a 400 naming the query parameter the caller set; the time
 * zones may also come from the service's config (`establishments[].timezone`), named beside `timezone`.
 */
export function computeOptionsError(
  error: SdkOptionsError,
  query: URLSearchParams,
  loaded: LoadedConfig | null,
): ServeError {
  const configZones = loaded?.config.establishments.some((e) => e.timezone !== undefined) ?? false;
  const zonesFrom = [
    ...(query.has('timezone') ? [QUERY_OPTION_KEYS.timezoneOverrides] : []),
    ...(configZones ? [`${CONFIG_OPTION_KEYS.timezoneOverrides} of the service's config`] : []),
  ];
  const problems = optionProblems(error, {
    ...QUERY_OPTION_KEYS,
    ...(zonesFrom.length > 0 ? { timezoneOverrides: zonesFrom.join(' with ') } : {}),
  });
  const first = problems[0];
  return new ServeError(
    'bad-request',
    `invalid options: ${problems.map((p) => `${p.key} ${p.message}`).join('; ')}`,
    { expression: first === undefined ? undefined : first.key.split(' ')[0], cause: error },
  );
}

function bad(name: string, message: string): ServeError {
  return new ServeError('bad-request', message, { expression: name });
}

function localDate(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!localDateSchema.safeParse(value).success)
    throw bad(name, `${name} must be a calendar date written YYYY-MM-DD, got "${value}"`);
  return value;
}

function oneOf<T extends string>(query: URLSearchParams, name: string, choices: readonly T[]): T | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw bad(name, `${name} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

function bool(query: URLSearchParams, name: string): boolean | undefined {
  const value = oneOf(query, name, ['true', 'false'] as const);
  return value === undefined ? undefined : value === 'true';
}
