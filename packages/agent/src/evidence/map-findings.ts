/** What evidence code reads of a results document's `dataQuality`: its two lists of findings. */
export interface FindingsLike {
  errors: readonly unknown[];
  warnings: readonly unknown[];
}

/**
 * `dataQuality` with every finding of both lists passed through `change` (the rest kept as is): the one
 * walk over errors and warnings, for each rewrite of what is sealed (pseudonymised ids, sealed input names).
 */
export function mapFindings<T extends FindingsLike>(
  dataQuality: T,
  change: (finding: unknown) => unknown,
): T {
  return {
    ...dataQuality,
    errors: dataQuality.errors.map(change),
    warnings: dataQuality.warnings.map(change),
  };
}
