import { IDENTIFIER_SYSTEMS } from '../vocabulary/systems.js';
import { isRecord, type IdentifierJson } from './fhir-json.js';

/**
 * Reference keys. Every way a FHIR record can point at another (`Type/id`, an absolute URL, a versioned
 * reference, a `urn:uuid:` full URL inside a Bundle, a conditional reference, a logical identifier) is
 * reduced to one string key; records register the keys they can be reached by (their aliases), and the
 * engine resolves keys only once everything has been read, so input order never matters.
 */

interface ReferenceLike {
  reference?: unknown;
  type?: unknown;
  identifier?: unknown;
}

/** `finess:<FINESS>` for FINESS and idNatSt (`1` + FINESS) identifiers: both name the same establishment. */
function finessKeyOf(system: string, value: string): string | null {
  if (system === IDENTIFIER_SYSTEMS.finess) return `finess:${value.trim().toUpperCase()}`;
  if (system === IDENTIFIER_SYSTEMS.idNatSt && value.startsWith('1'))
    return `finess:${value.slice(1).trim().toUpperCase()}`;
  return null;
}

/** Key of a logical identifier: `finess:…` for establishments, else `ident:<system>|<value>`. */
export function identifierKey(system: string, value: string): string {
  return finessKeyOf(system, value) ?? `ident:${system}|${value}`;
}

/** The key a reference points to, or `null` when it points nowhere usable (contained `#id`, empty). */
export function referenceKey(ref: unknown): string | null {
  if (!isRecord(ref)) return null;
  const r = ref as ReferenceLike;
  if (typeof r.reference === 'string' && r.reference.length > 0) return literalReferenceKey(r.reference);
  const identifier = r.identifier as { system?: unknown; value?: unknown } | undefined;
  if (identifier && typeof identifier.system === 'string' && typeof identifier.value === 'string') {
    return identifierKey(identifier.system, identifier.value);
  }
  return null;
}

/** The resource type in a `Type/id` key; `null` for `urn:`, identifier and FINESS keys (untyped). */
function typeOfKey(key: string): string | null {
  if (key.startsWith('urn:') || key.startsWith('ident:') || key.startsWith('finess:')) return null;
  const slash = key.indexOf('/');
  return slash > 0 ? key.slice(0, slash) : null;
}

/** The resource type a reference names explicitly (`type`, or the `Type/` of a literal reference). */
export function referenceType(ref: unknown): string | null {
  if (!isRecord(ref)) return null;
  const r = ref as ReferenceLike;
  if (typeof r.type === 'string') return r.type;
  if (typeof r.reference === 'string') {
    const text = r.reference;
    if (text.startsWith('urn:') || text.startsWith('#')) return null;
    const q = text.indexOf('?');
    if (q > 0) return text.slice(0, q);
    const path = stripHistory(text);
    const idSlash = path.lastIndexOf('/');
    if (idSlash <= 0) return null;
    return path.slice(path.lastIndexOf('/', idSlash - 1) + 1, idSlash);
  }
  return null;
}

/** The keys a record can be reached by through its identifiers (`reference.identifier`). */
export function identifierAliases(identifiers: unknown): string[] {
  if (!Array.isArray(identifiers)) return [];
  const out: string[] = [];
  for (const id of identifiers as IdentifierJson[]) {
    if (typeof id.system === 'string' && typeof id.value === 'string')
      out.push(identifierKey(id.system, id.value));
  }
  return out;
}

/**
 * The key of a reference that may point to a person. A reference typed as something else (`Group/…`,
 * `Practitioner/…`) is not about a person; an untyped `urn:uuid:` or identifier reference may be, and is
 * resolved at the end. The type comes from the key itself (`Type/id`), parsed once.
 */
export function patientReference(ref: unknown): string | null {
  const key = referenceKey(ref);
  if (key === null) return null;
  const explicit = (ref as { type?: unknown }).type;
  // An identifier key may come from a conditional reference (`Group?identifier=…`), which names its type.
  const type =
    typeof explicit === 'string' ? explicit : key.startsWith('ident:') ? referenceType(ref) : typeOfKey(key);
  return type === null || type === 'Patient' ? key : null;
}

/** The key of a record: `Type/id`, else its Bundle full URL. */
export function recordKey(resourceType: string, id: unknown, fullUrl: string | null): string {
  if (typeof id === 'string' && id.length > 0) return `${resourceType}/${id}`;
  if (fullUrl !== null) return fullUrl;
  return `${resourceType}/(no id)`;
}

/** The id part of a record key, as data quality names records (`urn:` keys are their own id). */
export function idOf(record: string): string {
  const slash = record.indexOf('/');
  return slash >= 0 && !record.startsWith('urn:') ? record.slice(slash + 1) : record;
}

/** The resource type of a record key, or `unknown`. */
export function typeOf(record: string): string {
  const slash = record.indexOf('/');
  return slash > 0 && !record.startsWith('urn:') ? record.slice(0, slash) : 'unknown';
}

function stripHistory(text: string): string {
  const h = text.indexOf('/_history/');
  return h >= 0 ? text.slice(0, h) : text;
}

const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const HASH = 0x23;

/** `Type/id` from the end of a (possibly absolute, possibly versioned) literal reference, without splitting. */
function literalReferenceKey(text: string): string | null {
  // The usual `Type/id` (one `/`, inside; no `?`, no leading `#`) is its own key: one scan decides, before
  // the general case's six searches (this runs for nearly every reference of every record).
  const n = text.length;
  let slash = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === SLASH) {
      if (slash >= 0) {
        slash = -1;
        break;
      }
      slash = i;
    } else if (c === QUESTION_MARK || c === HASH) {
      slash = -1;
      break;
    }
  }
  if (slash > 0 && slash < n - 1) return text;
  if (text.startsWith('#')) return null;
  if (text.startsWith('urn:')) return text;
  const q = text.indexOf('?');
  if (q > 0) return conditionalReferenceKey(text.slice(q + 1));
  const path = stripHistory(text);
  const idSlash = path.lastIndexOf('/');
  if (idSlash <= 0 || idSlash === path.length - 1) return null;
  const typeSlash = path.lastIndexOf('/', idSlash - 1);
  // A relative `Type/id` is already its own key: no new string.
  return typeSlash < 0 ? path : path.slice(typeSlash + 1);
}

/** `Organization?identifier=system|value` → the identifier's key; other searches are not resolvable. */
function conditionalReferenceKey(query: string): string | null {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq) !== 'identifier') continue;
    const token = safeDecode(pair.slice(eq + 1));
    const bar = token.indexOf('|');
    if (bar > 0) return identifierKey(token.slice(0, bar), token.slice(bar + 1));
  }
  return null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
