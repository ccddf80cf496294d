/**
 * Reading FHIR JSON records as they come (untyped JSON, validated only for the fields the rules read: see
 * schemas.ts). Small, allocation-free helpers shared by every rule's extraction step.
 */
export type Json = Record<string, unknown>;

/** A JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value[name]` when `value` is an object. */
export function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

/** The value when it is a string, else `null`. */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export interface IdentifierJson {
  system?: string;
  value?: string;
  type?: { coding?: { code?: string }[] };
}

/** The codes of an identifier's type (`FINEG`, `INS-NIR`, `NH`…). */
export function typeCodes(id: IdentifierJson): string[] {
  const codings = id.type?.coding;
  if (!Array.isArray(codings)) return [];
  return codings.map((c) => c.code).filter((c): c is string => typeof c === 'string');
}

/** What recognition reads: profiles and identifiers. */
export interface Identified {
  meta?: { profile?: unknown };
  identifier?: unknown;
}

/**
 * Whether the record declares `profile` or `other` (`meta.profile`, versions `…|2.3.0` ignored). Two fixed
 * parameters rather than a rest array: this runs for every Encounter and CarePlan.
 */
export function hasProfile(resource: Identified, profile: string, other?: string): boolean {
  const declared = resource.meta?.profile;
  if (!Array.isArray(declared)) return false;
  for (const p of declared) {
    if (typeof p !== 'string') continue;
    // Profiles may be versioned (`…|2.3.0`); no split in this per-record path.
    const bar = p.indexOf('|');
    const name = bar < 0 ? p : p.slice(0, bar);
    if (name === profile || (other !== undefined && name === other)) return true;
  }
  return false;
}

/** Whether the record has an identifier of that system. */
export function hasIdentifierSystem(resource: Identified, system: string): boolean {
  const ids = resource.identifier;
  return Array.isArray(ids) && ids.some((id) => (id as { system?: unknown } | null)?.system === system);
}
