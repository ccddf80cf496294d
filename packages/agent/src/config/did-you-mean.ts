/** Shortest word for which a prefix match counts (`calendar` for `calendar-year`). */
const MIN_PREFIX_LENGTH = 4;

/**
 * "Did you mean" for config keys and values: the closest known word by edit distance, case-insensitive,
 * close enough to be a typo (a third of the word's length, at least 1 edit); else the one candidate the
 * word is the beginning of (`calendar` → `calendar-year`), or the longest the word begins with
 * (`bearer-token` → `bearer`).
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best;
  if (word.length < MIN_PREFIX_LENGTH) return undefined;
  const extensions = candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower));
  if (extensions.length === 1) return extensions[0];
  // `bearer-token` for `bearer`: the longest known word the given one starts with.
  const stems = candidates
    .filter((candidate) => candidate.length >= MIN_PREFIX_LENGTH && lower.startsWith(candidate.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  return stems[0];
}

/**
 * A key like `tokenEnv` or `clientSecretFile` is the common mistake of flattening a secret reference:
 * returns the known key and the form it should take (`token: { env: ... }`).
 */
export function flattenedSecretRef(word: string, candidates: readonly string[]): string | undefined {
  const match = /^(.+?)(Env|File|_env|_file)$/i.exec(word);
  if (match === null) return undefined;
  const base = match[1] ?? '';
  const kind =
    (match[2] ?? '').toLowerCase().replace('_', '') === 'env' ? 'env: VARIABLE_NAME' : 'file: ./path';
  const known = candidates.find((candidate) => candidate.toLowerCase() === base.toLowerCase());
  return known === undefined ? undefined : `${known}: { ${kind} }`;
}

/** Levenshtein distance (insertions, deletions, substitutions), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
