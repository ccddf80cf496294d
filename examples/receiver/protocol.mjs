// @ts-check
/**
 * The submission protocol of contract.md §4, as the reference receiver checks it: the identifiers and
 * extensions it reads, the measures it accepts, and `validateBundle`, which lists every problem of a
 * submitted transaction Bundle (each naming its entry and element) before anything is stored.
 */
import { arrayOf, field, isObject, sha256Hex } from '../support/json.mjs';

export const SUBMISSION_IDENTIFIER_SYSTEM = 'https://esms-numerique.github.io/fhir/submission';
export const MEASURE_CANONICAL_BASE = 'https://esms-numerique.github.io/fhir/Measure/';
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';
/** contract.md §5: the hash of the journal entry that sealed the report's run (the agent's chain head). */
export const EVIDENCE_SEAL_URL = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
/** Beside it: the hash of the entry before that one. */
export const EVIDENCE_SEAL_PREVIOUS_URL =
  'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal-previous';
const SEAL_PATTERN = /^[0-9a-f]{64}$/;

/** Every measure the protocol accepts (indicators.md). */
export const MEASURE_IDS = Object.freeze([
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
const RATE_IDS = new Set(MEASURE_IDS.filter((id) => id.startsWith('taux-')));
/** Rates whose numerator is a subset of the denominator (MSSanté counts messages and may exceed it). */
const PROPORTION_IDS = new Set([...RATE_IDS].filter((id) => id !== 'taux-mssante'));
const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
const POPULATION_CODES = new Set([
  'initial-population',
  'numerator',
  'numerator-exclusion',
  'denominator',
  'denominator-exclusion',
  'denominator-exception',
  'measure-population',
  'measure-population-exclusion',
  'measure-observation',
]);
const FINESS_PATTERN = /^(?:\d{2}|2[AB])\d{7}$/;
const DATE_TIME_PATTERN =
  /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])(?:T[0-2]\d:[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?)?)?$/;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** @typedef {{ severity: 'error', code: string, diagnostics: string, expression?: string[] }} Issue */

/**
 * Every problem of a submitted Bundle, each naming the entry and the element.
 * @param {unknown} bundle
 * @returns {Issue[]}
 */
export function validateBundle(bundle) {
  /** @type {Issue[]} */
  const issues = [];
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    return [issue('structure', 'The body must be a FHIR Bundle', 'Bundle')];
  }
  if (bundle.type !== 'transaction')
    issues.push(issue('invalid', 'Bundle.type must be "transaction"', 'Bundle.type'));
  const entries = arrayOf(bundle.entry);
  if (entries.length === 0) {
    issues.push(issue('required', 'Bundle.entry must hold at least one MeasureReport', 'Bundle.entry'));
    return issues;
  }
  /** @type {Map<string, number>} */
  const seen = new Map();
  entries.forEach((entry, index) => {
    const at = `Bundle.entry[${index}]`;
    const before = issues.length;
    validateEntry(entry, at, issues);
    if (issues.length === before) {
      const key = submissionKey(field(entry, 'resource'));
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push(
          issue(
            'duplicate',
            `${at}: same submission identifier as Bundle.entry[${first}]`,
            `${at}.resource.identifier`,
          ),
        );
      } else {
        seen.set(key, index);
      }
    }
  });
  return issues;
}

/**
 * @param {unknown} entry
 * @param {string} at
 * @param {Issue[]} issues
 */
function validateEntry(entry, at, issues) {
  /** @param {string} code @param {string} problem @param {string} element @returns {void} */
  const fail = (code, problem, element) => {
    issues.push(issue(code, `${at}: ${problem}`, `${at}.${element}`));
  };
  if (!isObject(entry)) return fail('structure', 'not an object', '');
  if (!isObject(entry.request) || entry.request.method !== 'POST' || entry.request.url !== 'MeasureReport') {
    fail('invalid', 'request must be POST MeasureReport', 'request');
  }
  const report = entry.resource;
  if (!isObject(report) || report.resourceType !== 'MeasureReport') {
    return fail('invalid', 'resource must be a MeasureReport', 'resource');
  }
  const r = 'resource';
  if (report.status !== 'complete') fail('invalid', 'MeasureReport.status must be "complete"', `${r}.status`);
  if (report.type !== 'summary') fail('invalid', 'MeasureReport.type must be "summary"', `${r}.type`);
  for (const forbidden of ['subject', 'evaluatedResource', 'contained']) {
    if (report[forbidden] !== undefined) {
      fail(
        'security',
        `MeasureReport.${forbidden} is not allowed (no person-level data)`,
        `${r}.${forbidden}`,
      );
    }
  }
  if (JSON.stringify(report.group ?? []).includes('"subjectResults"')) {
    fail('security', 'subjectResults are not allowed (no person-level data)', `${r}.group`);
  }

  // A canonical, optionally with the measures' version (`…/Measure/taux-dmp|2024.1.1`).
  const measureId =
    typeof report.measure === 'string' && report.measure.startsWith(MEASURE_CANONICAL_BASE)
      ? report.measure.slice(MEASURE_CANONICAL_BASE.length).split('|')[0]
      : undefined;
  if (measureId === undefined || !MEASURE_IDS.includes(measureId)) {
    fail(
      'value',
      `MeasureReport.measure must be ${MEASURE_CANONICAL_BASE}<one of ${MEASURE_IDS.join(', ')}>[|version]`,
      `${r}.measure`,
    );
  }

  const start = field(report.period, 'start');
  const end = field(report.period, 'end');
  if (typeof start !== 'string' || !DATE_TIME_PATTERN.test(start))
    fail('value', 'MeasureReport.period.start must be a dateTime', `${r}.period.start`);
  else if (typeof end !== 'string' || !DATE_TIME_PATTERN.test(end))
    fail('value', 'MeasureReport.period.end must be a dateTime', `${r}.period.end`);
  else if (Date.parse(start) > Date.parse(end))
    fail('value', 'MeasureReport.period ends before it starts', `${r}.period`);

  const reporter = field(report.reporter, 'identifier');
  if (!isObject(reporter) || reporter.system !== FINESS_SYSTEM) {
    fail(
      'required',
      `MeasureReport.reporter.identifier must have system ${FINESS_SYSTEM}`,
      `${r}.reporter.identifier`,
    );
  } else if (typeof reporter.value !== 'string' || !FINESS_PATTERN.test(reporter.value)) {
    fail(
      'value',
      'MeasureReport.reporter.identifier.value must be a 9-character FINESS',
      `${r}.reporter.identifier.value`,
    );
  }

  for (const url of [EVIDENCE_SEAL_URL, EVIDENCE_SEAL_PREVIOUS_URL]) {
    const value = extensionValue(report.extension, url);
    if (value !== null && !SEAL_PATTERN.test(value)) {
      fail('value', `the extension ${url} must be a lowercase hex SHA-256 (64 characters)`, `${r}.extension`);
    }
  }

  const submissionId = field(
    arrayOf(report.identifier).find((i) => field(i, 'system') === SUBMISSION_IDENTIFIER_SYSTEM),
    'value',
  );
  if (typeof submissionId !== 'string' || submissionId.length === 0) {
    fail(
      'required',
      `MeasureReport.identifier with system ${SUBMISSION_IDENTIFIER_SYSTEM} is required`,
      `${r}.identifier`,
    );
  } else if (
    field(entry.request, 'ifNoneExist') !== undefined &&
    field(entry.request, 'ifNoneExist') !== `identifier=${SUBMISSION_IDENTIFIER_SYSTEM}|${submissionId}`
  ) {
    fail('invalid', 'request.ifNoneExist must match the submission identifier', 'request.ifNoneExist');
  }

  if (!Array.isArray(report.group) || report.group.length === 0) {
    return fail('required', 'MeasureReport.group is required', `${r}.group`);
  }
  report.group.forEach((group, /** @type {number} */ g) => {
    const at = `${r}.group[${g}]`;
    /** @type {Record<string, number>} */
    const counts = {};
    if (!isObject(group) || !Array.isArray(group.population) || group.population.length === 0) {
      return fail('required', `${at}.population is required`, `${at}.population`);
    }
    group.population.forEach((population, /** @type {number} */ p) => {
      const coding = arrayOf(field(field(population, 'code'), 'coding')).find(
        (c) => field(c, 'system') === POPULATION_SYSTEM,
      );
      const code = field(coding, 'code');
      const count = field(population, 'count');
      if (typeof code !== 'string' || !POPULATION_CODES.has(code)) {
        fail(
          'code-invalid',
          `${at}.population[${p}].code must be from ${POPULATION_SYSTEM}`,
          `${at}.population[${p}].code`,
        );
      } else if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
        fail('value', `${at}.population[${p}].count must be an integer ≥ 0`, `${at}.population[${p}].count`);
      } else {
        counts[code] = count;
      }
    });
    const score = group.measureScore;
    if (
      score !== undefined &&
      (!isObject(score) || typeof score.value !== 'number' || !Number.isFinite(score.value))
    ) {
      fail('value', `${at}.measureScore.value must be a number`, `${at}.measureScore`);
    }
    if (measureId !== undefined && RATE_IDS.has(measureId)) {
      if (counts['numerator'] === undefined || counts['denominator'] === undefined) {
        fail('required', `${at} must have numerator and denominator populations`, `${at}.population`);
      } else if (PROPORTION_IDS.has(measureId) && counts['numerator'] > counts['denominator']) {
        fail(
          'business-rule',
          `${at}: numerator ${counts['numerator']} exceeds denominator ${counts['denominator']}`,
          `${at}.population`,
        );
      }
    }
  });
}

/**
 * The value of the extension `url` in an extension array, or null.
 * @param {unknown} extensions
 * @param {string} url
 * @returns {string | null}
 */
export function extensionValue(extensions, url) {
  const value = field(
    arrayOf(extensions).find((e) => field(e, 'url') === url),
    'valueString',
  );
  return typeof value === 'string' ? value : null;
}

/**
 * The evidence seal a report carries, or null (agents before the seal, other senders).
 * @param {unknown} report
 * @returns {string | null}
 */
export function sealOf(report) {
  return extensionValue(field(report, 'extension'), EVIDENCE_SEAL_URL);
}

/**
 * `extension` for a transaction-response entry: the seal stored with that report.
 * @param {string | null | undefined} seal
 */
export function sealExtension(seal) {
  return typeof seal === 'string' ? { extension: [{ url: EVIDENCE_SEAL_URL, valueString: seal }] } : {};
}

/** @param {unknown} report */
export function submissionKey(report) {
  const identifier = arrayOf(field(report, 'identifier')).find(
    (i) => field(i, 'system') === SUBMISSION_IDENTIFIER_SYSTEM,
  );
  return `${SUBMISSION_IDENTIFIER_SYSTEM}|${String(field(identifier, 'value'))}`;
}

/**
 * @param {string} code
 * @param {string} diagnostics
 * @param {string} [expression]
 * @returns {Issue}
 */
export function issue(code, diagnostics, expression) {
  return expression === undefined
    ? { severity: 'error', code, diagnostics }
    : { severity: 'error', code, diagnostics, expression: [expression] };
}

/** @param {Issue[]} issues */
export function outcome(issues) {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/**
 * SHA-256 of a request body without what a later run changes when it sends the same figures again: the
 * evidence-seal extensions (on the Bundle's meta and on each MeasureReport), each MeasureReport's `date`
 * (when it was generated), and the Bundle's `id` and `timestamp`. Two requests with this digest are the same
 * submission for the Idempotency-Key (contract.md §5: the seal is not part of the submission). A body that is
 * not JSON is digested as it is (it is refused later anyway).
 * @param {Buffer} raw
 * @returns {string}
 */
export function digestWithoutSeals(raw) {
  /** @type {unknown} */
  let bundle;
  try {
    bundle = JSON.parse(raw.toString('utf8'));
  } catch {
    return sha256Hex(raw);
  }
  if (!isObject(bundle)) return sha256Hex(raw);
  const seals = new Set([EVIDENCE_SEAL_URL, EVIDENCE_SEAL_PREVIOUS_URL]);
  /** @param {unknown} holder */
  const strip = (holder) => {
    if (isObject(holder) && Array.isArray(holder.extension)) {
      holder.extension = arrayOf(holder.extension).filter((e) => {
        const url = field(e, 'url');
        return !(typeof url === 'string' && seals.has(url));
      });
    }
  };
  strip(bundle.meta);
  delete bundle['id'];
  delete bundle['timestamp'];
  for (const entry of arrayOf(bundle.entry)) {
    const resource = field(entry, 'resource');
    if (!isObject(resource)) continue;
    strip(resource);
    delete resource['date'];
  }
  return sha256Hex(JSON.stringify(bundle));
}
