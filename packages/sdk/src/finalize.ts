import type { Accumulator } from './accumulator.js';
import { Findings, warnDuplicateRecords, warnTimeForms } from './data-quality.js';
import type { EstablishmentExplanation, SubjectLists } from './explain.js';
import { explainEstablishment } from './indicators/explanation.js';
import { establishmentRates, warnEmptyDenominators } from './indicators/rates.js';
import { organisationNames, rollUp } from './indicators/roll-up.js';
import { vaCheck } from './indicators/va-ready.js';
import { attributeUsage } from './resolve/attribution.js';
import { indexOrganisations, resolveEstablishments, type Establishment } from './resolve/establishments.js';
import { mergeStates, resolvePersons, type Person } from './resolve/persons.js';
import { classifySejours, sejourProviders } from './resolve/sejours.js';
import type { EstablishmentResult, ResultsDocument } from './results.js';
import { countAccompanied, placeSejour } from './rules/accompanied.js';
import { countDemotedEvent, countEventsByPartOf, countEventsWithoutSubject } from './rules/agenda-event.js';
import { eParcoursResult } from './rules/e-parcours.js';
import { ePrescriptionsResult } from './rules/e-prescriptions.js';
import { warnHistoryMissing } from './rules/updated.js';

/** The result of one computation: the public results document and the (local-only) subject lists. */
export interface Computation {
  results: ResultsDocument;
  subjects: SubjectLists;
}

/**
 * Everything that needs the whole input, in order: who is who, which séjours count, who is accompanied
 * where, where usage events belong, then the figures of every ESSMS. Each step is one function of
 * resolve/, rules/ or indicators/; the order of the steps is also the order in which data-quality
 * findings are gathered (they are sorted at the end).
 */
export function finalize(acc: Accumulator): Computation {
  const findings = new Findings(acc.problems);
  warnDuplicateRecords(acc.duplicates, findings);
  warnTimeForms(acc.timeForms, findings);

  // 1. Who is who: Organizations by every key they can be reached by; Patient records merged into persons.
  const organisations = indexOrganisations(acc.organisations);
  const persons = resolvePersons(acc.patients, findings);

  // 2. Which candidate séjours are séjours (an Encounter whose partOf is a séjour is an event).
  const sejours = classifySejours(acc.sejours);

  // 3. Which ESSMS are reported: séjour providers and FINESS géographiques, with a usable FINESS.
  const establishments = resolveEstablishments(
    acc,
    organisations,
    sejourProviders(sejours, organisations),
    findings,
  );

  // 4. What was counted under every key of a person, merged into that person.
  mergeStates(acc.persons, persons, findings);

  // 5. Séjours given to their persons; candidates that are events count as agenda events.
  for (const s of sejours.candidates) {
    if (sejours.isSejour(s)) placeSejour(s, persons.personOf, establishments.of, findings);
    else countDemotedEvent(acc, s, sejours, persons.personOf, findings);
  }

  // 6. Agenda events recognised through their partOf séjour, and those that are its person's for lack of
  //    a subject of their own.
  for (const person of persons.byId.values()) countEventsByPartOf(person, sejours);
  countEventsWithoutSubject(acc, sejours, persons.personOf, findings);

  // 7. Usage events attributed to their ESSMS (agent.who, else the séjour at that instant).
  attributeUsage(acc, organisations, establishments, persons, findings);

  // 8. Who is accompanied by each ESSMS, in P and in the calendar year.
  countAccompanied(persons.byId.values(), acc.grid);

  // 9. The figures of every ESSMS, then of every organisme gestionnaire.
  const results: EstablishmentResult[] = [];
  const subjects: SubjectLists = [];
  for (const e of establishments.sorted) {
    const { result, explanation } = figuresOf(acc, e, persons.byId, findings);
    results.push(result);
    subjects.push(explanation);
  }
  warnHistoryMissing(acc, establishments.sorted, findings);

  return {
    results: {
      measureDate: acc.grid.measureDate,
      denominatorScope: acc.options.denominatorScope,
      establishments: results,
      organisations: rollUp(results, organisationNames(establishments.sorted)),
      dataQuality: findings.sorted(),
    },
    subjects,
  };
}

/** One ESSMS's result (contract.md §2) and its explanation. */
function figuresOf(
  acc: Accumulator,
  e: Establishment,
  persons: ReadonlyMap<string, Person>,
  findings: Findings,
): { result: EstablishmentResult; explanation: EstablishmentExplanation } {
  const { rates, lists } = establishmentRates(e, persons, acc.options.denominatorScope);
  const indicators = {
    ...rates,
    'e-prescriptions-importees': ePrescriptionsResult(e, acc.grid),
    'echanges-e-parcours': eParcoursResult(e, acc.options),
  };
  warnEmptyDenominators(e, lists, findings);
  const vaReason = vaCheck(indicators);
  return {
    result: {
      finess: e.finess,
      organisation: e.organisation,
      name: e.name,
      timezone: e.timezone,
      period: { start: acc.grid.localStart, end: acc.grid.localEnd },
      indicators,
      dossiersActifs: lists.activeDossiers.length,
      fileActive: e.accompaniedInYear.size,
      vaReady: vaReason === null,
      vaReason,
    },
    explanation: explainEstablishment(e, lists, persons),
  };
}
