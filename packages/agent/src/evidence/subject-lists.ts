/**
 * Subject lists (the SDK's `SubjectLists`: per ESSMS, who is in each denominator and numerator and why
 * others are not) as sealed in evidence: pseudonymised, and compared with the recomputation.
 */
import { asArray, field } from './json-access.js';
import { isRecord } from '../shared/is-record.js';

/**
 * Subject lists are pseudonymised by the SDK's `pseudonymiseSubjectLists` (the runner seals its result);
 * re-exported here for the evidence API.
 */
export { pseudonymiseSubjectLists } from '@esms-numerique/sdk';

/**
 * Names every person by the smallest of its ids (its own and its merged records'), so that two lists that
 * picked a different record as the person's canonical id (pseudonymising after or before the merge
 * changes which id sorts first) compare equal when they describe the same persons.
 */
export function canonicalisePersons(subjects: unknown): unknown {
  if (!Array.isArray(subjects)) return subjects;
  return asArray(subjects).map((establishment) => {
    if (!isRecord(establishment)) return establishment;
    const rename = new Map<string, string>();
    const persons = asArray(field(establishment, 'persons')).map((person) => {
      const id = field(person, 'person');
      const records = asArray(field(person, 'records')).filter((r): r is string => typeof r === 'string');
      if (typeof id !== 'string') return person;
      const all = [...new Set([id, ...records])].sort();
      const canonical = all[0] ?? id;
      rename.set(id, canonical);
      return { person: canonical, records: all };
    });
    const r = (value: unknown): unknown => (typeof value === 'string' ? (rename.get(value) ?? value) : value);
    const indicators = field(establishment, 'indicators');
    return {
      ...establishment,
      persons,
      indicators: isRecord(indicators)
        ? Object.fromEntries(
            Object.entries(indicators).map(([id, explanation]) => [
              id,
              isRecord(explanation)
                ? {
                    ...explanation,
                    ...('denominator' in explanation
                      ? { denominator: asArray(explanation['denominator']).map(r) }
                      : {}),
                    ...('numerator' in explanation
                      ? { numerator: asArray(explanation['numerator']).map(r) }
                      : {}),
                    ...('outOfNumerator' in explanation
                      ? {
                          outOfNumerator: asArray(explanation['outOfNumerator']).map((exclusion) =>
                            isRecord(exclusion)
                              ? { ...exclusion, person: r(exclusion['person']) }
                              : exclusion,
                          ),
                        }
                      : {}),
                  }
                : explanation,
            ]),
          )
        : indicators,
    };
  });
}
