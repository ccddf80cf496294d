/**
 * Sets of candidate time zones: the one representation of "in which time zones is this true".
 *
 * Why times are classified against every candidate zone. P is a period of *local* dates (indicators.md
 * "Local time"): whether an instant is in P depends on the time zone of the ESSMS, and a date-only value is
 * a different instant in every zone. While records stream past, the engine cannot know that zone yet: the
 * séjour that says which ESSMS accompanies the person may come later in the input (data-model.md "Input
 * may arrive in any order"), a person may be accompanied by two ESSMS in different zones, and no record is
 * kept to be read again. So each time value is classified once, as it arrives, against the windows of
 * every zone the computation may need (the zones FINESS numbers map to, plus those of
 * `timezoneOverrides`), and the answer is kept as a set of zones. Once everything is read, each ESSMS reads
 * the answer for its own zone (`hasZone`).
 *
 * A set is one 32-bit integer, bit i standing for zone i of the period grid (period.ts): nothing is
 * allocated per record, and combining answers is one OR. This file is the only code that does bit
 * arithmetic on them (the `ZoneSet` brand makes the compiler refuse `|` or `&` anywhere else). It holds at
 * most `MAX_ZONES` zones, the width of JavaScript's bitwise operators; options naming more candidate zones
 * are refused (options.ts) rather than silently wrapped onto other zones.
 */
export type ZoneSet = number & { readonly __brand: 'ZoneSet' };

/** How many candidate time zones a computation may have: the width of a bitwise integer. */
export const MAX_ZONES = 32;

/** The empty set. */
export const NO_ZONES = 0 as ZoneSet;

/** Every zone of a grid of `count` zones (`count` ≤ `MAX_ZONES`). */
export function allZones(count: number): ZoneSet {
  if (!Number.isInteger(count) || count < 0 || count > MAX_ZONES) {
    throw new RangeError(`a zone set holds 0 to ${MAX_ZONES} zones, not ${count}`);
  }
  // `1 << 32` is 1 in JavaScript (the shift count is taken modulo 32): 32 zones are all 32 bits.
  return (count === MAX_ZONES ? -1 : (1 << count) - 1) as ZoneSet;
}

/** `set` with zone `zone` added. */
export function withZone(set: ZoneSet, zone: number): ZoneSet {
  return (set | (1 << zone)) as ZoneSet;
}

export function hasZone(set: ZoneSet, zone: number): boolean {
  return (set & (1 << zone)) !== 0;
}

export function union(a: ZoneSet, b: ZoneSet): ZoneSet {
  return (a | b) as ZoneSet;
}

export function intersection(a: ZoneSet, b: ZoneSet): ZoneSet {
  return (a & b) as ZoneSet;
}

/** The zones of `all` that are not in `set`. */
export function complement(set: ZoneSet, all: ZoneSet): ZoneSet {
  return (all & ~set) as ZoneSet;
}

/** Adds one to `counts[zone]` for every zone of `set` (`counts` has one entry per zone of the grid). */
export function countPerZone(counts: number[], set: ZoneSet): void {
  if (set === NO_ZONES) return;
  for (let zone = 0; zone < counts.length; zone++) if (hasZone(set, zone)) counts[zone]!++;
}

/** `map[key] |= zones`, creating the map when there is none yet: zones kept per reference key. */
export function unionAtKey(
  map: Map<string, ZoneSet> | null,
  key: string,
  zones: ZoneSet,
): Map<string, ZoneSet> {
  const out = map ?? new Map<string, ZoneSet>();
  out.set(key, union(out.get(key) ?? NO_ZONES, zones));
  return out;
}

/** Every `from[key] |= zones` into `into` (`null`: none). */
export function mergeZoneMaps(
  into: Map<string, ZoneSet> | null,
  from: Map<string, ZoneSet> | null,
): Map<string, ZoneSet> | null {
  if (from === null) return into;
  let out = into ?? new Map<string, ZoneSet>();
  for (const [key, zones] of from) out = unionAtKey(out, key, zones);
  return out;
}
