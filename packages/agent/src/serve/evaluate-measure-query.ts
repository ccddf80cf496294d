import { addMonthsClamped, isWellFormedFiness, MEASURE_IDS, type MeasureId } from '@esms-numerique/sdk';
import { localDateSchema } from '../config/schema-primitives.js';
import { ServeError } from './serve-error.js';

export interface EvaluateMeasureRequest {
  measure: MeasureId;
  /** D: the day after P's last day. */
  measureDate: string;
  reportType: 'summary' | 'subject-list';
  /** The ESSMS asked for (`Organization/<FINESS>`), or `null` for every configured one. */
  subject: string | null;
}

/**
 * The parameters of `Measure/<id>/$evaluate-measure` (FHIR R4 operation), from the query or a POSTed
 * `Parameters` resource: `periodEnd` (P's last local day, so D is the day after) or `measureDate` (D),
 * optionally `periodStart` (must then be P's first day: P is always the 3 months before D), `reportType`
 * `summary` (R4's `population` too) or `subject-list`, `subject` = `Organization/<FINESS>`.
 */
export function parseEvaluateMeasure(path: string, parameters: Map<string, string>): EvaluateMeasureRequest {
  const id = decodeURIComponent(path.split('/')[3] ?? '');
  if (!(MEASURE_IDS as readonly string[]).includes(id)) {
    throw new ServeError('not-found', `no Measure "${id}" (known: ${MEASURE_IDS.join(', ')})`, {
      expression: 'Measure.id',
    });
  }
  for (const name of parameters.keys()) {
    if (!['periodEnd', 'periodStart', 'measureDate', 'reportType', 'subject'].includes(name))
      throw new ServeError('bad-request', `unknown parameter "${name}"`, { expression: name });
  }
  const periodEnd = date(parameters, 'periodEnd');
  const given = date(parameters, 'measureDate');
  if (periodEnd !== undefined && given !== undefined && addDays(periodEnd, 1) !== given) {
    throw new ServeError('bad-request', 'periodEnd and measureDate disagree: give one of them', {
      expression: 'periodEnd',
    });
  }
  const measureDate = given ?? (periodEnd === undefined ? undefined : addDays(periodEnd, 1));
  if (measureDate === undefined) {
    throw new ServeError(
      'bad-request',
      'periodEnd (the last day of P, YYYY-MM-DD) or measureDate (D) is required',
      { expression: 'periodEnd' },
    );
  }
  const periodStart = date(parameters, 'periodStart');
  const expectedStart = addMonthsClamped(measureDate, -3);
  if (periodStart !== undefined && periodStart !== expectedStart) {
    throw new ServeError(
      'bad-request',
      `periodStart must be ${expectedStart}: P is the 3 months before D (${measureDate})`,
      { expression: 'periodStart' },
    );
  }
  const type = parameters.get('reportType') ?? 'summary';
  if (!['summary', 'population', 'subject-list'].includes(type)) {
    throw new ServeError('bad-request', `reportType must be summary or subject-list, got "${type}"`, {
      expression: 'reportType',
    });
  }
  const subjectValue = parameters.get('subject');
  let subject: string | null = null;
  if (subjectValue !== undefined) {
    const finess = /^Organization\/(.+)$/.exec(subjectValue)?.[1];
    if (finess === undefined || !isWellFormedFiness(finess)) {
      throw new ServeError(
        'bad-request',
        `subject must be Organization/<FINESS géographique>, got "${subjectValue}"`,
        { expression: 'subject' },
      );
    }
    subject = finess;
  }
  return {
    measure: id as MeasureId,
    measureDate,
    reportType: type === 'subject-list' ? 'subject-list' : 'summary',
    subject,
  };
}

function date(parameters: Map<string, string>, name: string): string | undefined {
  const value = parameters.get(name);
  if (value === undefined) return undefined;
  if (!localDateSchema.safeParse(value).success)
    throw new ServeError('bad-request', `${name} must be a date written YYYY-MM-DD, got "${value}"`, {
      expression: name,
    });
  return value;
}

function addDays(day: string, days: number): string {
  const ms = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
