/**
 * Findings and problem facts say where a record was read (`location.input`: the file). The agent's own
 * paths (`/home/jdupont/exports/…`) say nothing an auditor needs and may name a person, so what is sealed
 * names a file relative to the configured source path it was found under (its name, for a file configured
 * itself): the same whatever machine or directory the export was saved in (audit G10).
 */
import path from 'node:path';
import { isRecord } from '../shared/is-record.js';
import { mapFindings, type FindingsLike } from './map-findings.js';

/** `(input) => its sealed name`, for the configured file source paths `roots`. */
export function sealedInputNamer(roots: readonly string[]): (input: string) => string {
  const resolved = roots.map((root) => path.resolve(root));
  return (input) => {
    const absolute = path.resolve(input);
    for (const root of resolved) {
      if (absolute === root) return path.basename(root);
      const inside = path.relative(root, absolute);
      if (inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside)) {
        return inside.split(path.sep).join('/');
      }
    }
    // Not a configured path (a FHIR search, a URL): not a local path, kept as it is.
    return path.isAbsolute(input) ? path.basename(input) : input;
  };
}

/** `value` with its `location.input` renamed by `name`, or `value` itself when it has none. */
export function withSealedInput<T>(value: T, name: (input: string) => string): T {
  if (!isRecord(value)) return value;
  const location = value['location'];
  if (!isRecord(location) || typeof location['input'] !== 'string') return value;
  return { ...value, location: { ...location, input: name(location['input']) } };
}

/** Both lists of a results document's `dataQuality` with their locations renamed by `name`. */
export function withSealedInputs<T extends FindingsLike>(dataQuality: T, name: (input: string) => string): T {
  return mapFindings(dataQuality, (f) => withSealedInput(f, name));
}
