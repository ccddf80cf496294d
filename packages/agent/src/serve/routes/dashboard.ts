import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWellFormedFiness } from '@esms-numerique/sdk';
import { localDateSchema } from '../../config/schema-primitives.js';
import { SESSION_COOKIE } from '../auth.js';
import { setNoStore } from '../csp.js';
import { worklistCsv } from '../dashboard/csv.js';
import { loadDashboard } from '../dashboard/dashboard-model.js';
import { EXCLUSION_REASON_LABELS, isWorklistIndicator } from '../dashboard/french-reasons.js';
import { renderLogin } from '../dashboard/render-login.js';
import { renderOverview } from '../dashboard/render-overview.js';
import { renderWorklist } from '../dashboard/render-worklist.js';
import { DASHBOARD_CSS } from '../dashboard/style.js';
import { buildWorklist } from '../dashboard/worklist.js';
import { bodyChunks } from '../request-body.js';
import { sendText } from '../respond.js';
import type { ServeContext } from '../serve-context.js';
import { ServeError } from '../serve-error.js';

const HTML = 'text/html; charset=utf-8';
const BASE = '/tableau-de-bord';
const LOGIN = `${BASE}/connexion`;
const WORKLIST = /^\/tableau-de-bord\/essms\/([^/]+)\/([a-z-]+?)(\.csv)?$/;
const LOGIN_FORM_LIMIT_BYTES = 4096;

/**
 * The project lead's dashboard (French, no script, nothing loaded from outside): the overview from the
 * sealed runs, the login form, and the worklists (person-level: behind the token, as a bearer header or the
 * session cookie the form sets). Worklists name dossiers by the DUI's ids only, and are never cached.
 */
export async function handleDashboard(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
): Promise<void> {
  const path = url.pathname;
  if (path === '/') {
    redirect(response, BASE);
    return;
  }
  if (path === `${BASE}/style.css`) {
    response.setHeader('Cache-Control', 'max-age=300');
    sendText(response, 200, DASHBOARD_CSS, 'text/css; charset=utf-8');
    return;
  }
  if (path === LOGIN) {
    await login(request, response, url, context);
    return;
  }
  if (request.method !== 'GET')
    throw new ServeError('method-not-allowed', `${request.method ?? '?'} is not allowed here`);
  const loaded = context.loaded;
  if (loaded === null) {
    throw new ServeError(
      'no-config',
      'the dashboard reads the evidence and the configured sources: start esms serve with --config',
    );
  }
  if (path === BASE) {
    sendText(response, 200, renderOverview(await loadDashboard(loaded, context.now())), HTML);
    return;
  }
  const match = WORKLIST.exec(path);
  const finess = match?.[1];
  const indicator = match?.[2];
  if (
    finess === undefined ||
    indicator === undefined ||
    !isWellFormedFiness(finess) ||
    !isWorklistIndicator(indicator)
  ) {
    throw new ServeError('not-found', `no such page: ${path}`);
  }
  if (!context.auth.bearerOrSession(request)) {
    if (!context.auth.configured) {
      setNoStore(response);
      sendText(response, 403, renderLogin(BASE, null, false), HTML);
      return;
    }
    redirect(response, `${LOGIN}?suite=${encodeURIComponent(path + url.search)}`);
    return;
  }
  const given = url.searchParams.get('measureDate');
  if (given !== null && !localDateSchema.safeParse(given).success) {
    throw new ServeError('bad-request', 'measureDate must be a calendar date written YYYY-MM-DD', {
      expression: 'measureDate',
    });
  }
  const measureDate = given ?? (await loadDashboard(loaded, context.now())).worklistMeasureDate;
  const { results, subjects } = await context.computeConfigured(loaded, measureDate);
  const establishment = results.establishments.find((e) => e.finess === finess);
  const explanation = subjects.find((s) => s.finess === finess);
  if (establishment === undefined || explanation === undefined) {
    throw new ServeError(
      'not-found',
      `FINESS ${finess} has no figures at ${measureDate} over the configured sources`,
    );
  }
  const worklist = buildWorklist(explanation, indicator, establishment.indicators[indicator]);
  setNoStore(response);
  if (match?.[3] === '.csv') {
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="liste-${finess}-${indicator}-${measureDate}.csv"`,
    );
    sendText(response, 200, worklistCsv(worklist, EXCLUSION_REASON_LABELS), 'text/csv; charset=utf-8');
    return;
  }
  sendText(
    response,
    200,
    renderWorklist(worklist, { name: establishment.name, measureDate, period: establishment.period }),
    HTML,
  );
}

async function login(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
): Promise<void> {
  setNoStore(response);
  if (request.method === 'GET') {
    sendText(
      response,
      200,
      renderLogin(safeNext(url.searchParams.get('suite')), null, context.auth.configured),
      HTML,
    );
    return;
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(request)) {
    size += chunk.length;
    if (size > LOGIN_FORM_LIMIT_BYTES)
      throw new ServeError('payload-too-large', 'the login form is larger than expected');
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const next = safeNext(form.get('suite'));
  if (!context.auth.matchesToken(form.get('jeton') ?? '')) {
    // Never logged with the value typed.
    context.logger.warn('dashboard login refused');
    sendText(response, 401, renderLogin(next, 'Jeton incorrect.', context.auth.configured), HTML);
    return;
  }
  response.setHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=${context.auth.sessionValue()}; Path=${BASE}; HttpOnly; SameSite=Strict`,
  );
  redirect(response, next);
}

/** Only a page of the dashboard itself: never an open redirect. */
function safeNext(value: string | null): string {
  return value !== null && value.startsWith(`${BASE}/`) && !value.startsWith('//') ? value : BASE;
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { Location: location, 'Content-Length': 0 });
  response.end();
}
