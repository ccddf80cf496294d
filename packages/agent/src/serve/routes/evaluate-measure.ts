import type { IncomingMessage, ServerResponse } from 'node:http';
import { IDENTIFIER_SYSTEMS, toMeasureReports, versionedMeasureCanonical } from '@esms-numerique/sdk';
import type { MeasureReport } from 'fhir/r4.js';
import { setNoStore } from '../csp.js';
import { parseEvaluateMeasure } from '../evaluate-measure-query.js';
import { bodyChunks, readJsonBody } from '../request-body.js';
import { FHIR_JSON, sendJson } from '../respond.js';
import type { ServeContext } from '../serve-context.js';
import { ServeError } from '../serve-error.js';
import { toSubjectListReport } from '../subject-list-report.js';

/** A POSTed `Parameters` resource is small: a few dates and codes. */
const PARAMETERS_LIMIT_BYTES = 64 * 1024;

/**
 * `GET|POST /fhir/Measure/<id>/$evaluate-measure`: the measure evaluated over the configured sources, as
 * a run would compute it (same options, scope and look-back). With `subject`, one MeasureReport; without,
 * a `collection` Bundle of one per configured ESSMS. `subject-list` names persons: token only.
 */
export async function handleEvaluateMeasure(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
): Promise<void> {
  const parameters = new Map<string, string>(url.searchParams);
  if (request.method === 'POST') {
    for (const [name, value] of await postedParameters(request)) parameters.set(name, value);
  }
  const query = parseEvaluateMeasure(url.pathname, parameters);
  if (query.reportType === 'subject-list') {
    context.auth.require(context.auth.bearer(request), 'reportType=subject-list');
  }
  const loaded = context.loaded;
  if (loaded === null) {
    throw new ServeError(
      'no-config',
      '$evaluate-measure reads the configured sources: start esms serve with --config',
    );
  }
  const { results, subjects } = await context.computeConfigured(loaded, query.measureDate);
  if (query.subject !== null && !results.establishments.some((e) => e.finess === query.subject)) {
    throw new ServeError(
      'not-found',
      `Organization/${query.subject} is not a configured ESSMS with figures at ${query.measureDate}`,
      { expression: 'subject' },
    );
  }
  const canonical = versionedMeasureCanonical(query.measure);
  const date = context.now().toISOString();
  const reports: MeasureReport[] = [];
  for (const report of toMeasureReports(results, { date })) {
    const finess = report.reporter?.identifier?.value;
    if (report.measure !== canonical || report.reporter?.identifier?.system !== IDENTIFIER_SYSTEMS.finess)
      continue;
    if (query.subject !== null && finess !== query.subject) continue;
    if (query.reportType === 'summary') {
      reports.push(report);
      continue;
    }
    const explanation = subjects.find((s) => s.finess === finess);
    const indicator = explanation?.indicators[query.measure as keyof typeof explanation.indicators];
    if (explanation === undefined || indicator === undefined) {
      throw new ServeError('bad-request', `${query.measure} has no subject list (it counts no persons)`, {
        expression: 'reportType',
      });
    }
    reports.push(
      toSubjectListReport(
        report,
        indicator,
        explanation.persons.map((p) => p.person),
      ),
    );
  }
  if (query.reportType === 'subject-list') setNoStore(response);
  if (query.subject !== null && reports[0] !== undefined) {
    sendJson(response, 200, reports[0], FHIR_JSON);
    return;
  }
  sendJson(
    response,
    200,
    {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: date,
      entry: reports.map((resource) => ({ resource })),
    },
    FHIR_JSON,
  );
}

/** A FHIR `Parameters` resource's `valueDate`/`valueString`/`valueCode`/`valueReference` parameters. */
async function postedParameters(request: IncomingMessage): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (
    (request.headers['content-length'] ?? '0') === '0' &&
    request.headers['transfer-encoding'] === undefined
  )
    return found;
  const body = await readJsonBody(bodyChunks(request), PARAMETERS_LIMIT_BYTES);
  const resource = body as { resourceType?: unknown; parameter?: unknown };
  if (resource.resourceType !== 'Parameters' || !Array.isArray(resource.parameter)) {
    throw new ServeError('bad-request', 'the body must be a FHIR Parameters resource', {
      expression: 'body',
    });
  }
  for (const [index, parameter] of (resource.parameter as Array<Record<string, unknown>>).entries()) {
    const name = parameter['name'];
    const value =
      parameter['valueDate'] ??
      parameter['valueString'] ??
      parameter['valueCode'] ??
      (parameter['valueReference'] as { reference?: unknown } | undefined)?.reference;
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new ServeError(
        'bad-request',
        'each parameter needs a name and a valueDate, valueString, valueCode or valueReference',
        { expression: `Parameters.parameter[${index}]` },
      );
    }
    found.set(name, value);
  }
  return found;
}
