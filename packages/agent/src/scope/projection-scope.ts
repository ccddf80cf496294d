import { UnionFind, type Fact } from '@esms-numerique/sdk';
import type { EstablishmentScope } from './establishment-scope.js';

/**
 * Which facts of a projection the configured ESSMS's figures need (follow-up F2): the sealed projection
 * (and an auditor's bundle) holds no person nor organisation name of another ESSMS of the DUI.
 *
 * Kept: every person with a séjour at a configured ESSMS, with ALL their facts (their séjours elsewhere
 * too: attribution of events needs them), the usage events a configured ESSMS is named in, and the
 * Organizations those facts reference (with the `partOf` chain). The names of Organizations that are
 * neither a configured ESSMS nor its organisme gestionnaire are blanked.
 *
 * Facts go by record (a `record` fact and the facts after it, up to the next one): a record is kept or
 * dropped whole, and every version of one `Type/id` the same way (the engine keeps the latest version).
 * References that can join two persons (Patient keys, aliases, INS, links, subjects, séjour keys and
 * `partOf`) are joined in one union-find, so a person is kept with every record that could be merged
 * into it. The runner checks the result anyway: the scoped projection is recomputed and must give the
 * configured ESSMS's figures exactly, else the whole projection is sealed (`run-once.ts`).
 */
export interface ProjectionScoper {
  /** Pass 1: every (pseudonymised) fact, in projection order. */
  observe(fact: Fact): void;
  /** After pass 1: the filter for pass 2 (the same facts in the same order); `null` keeps everything. */
  decide(): ProjectionFilter | null;
}

export interface ProjectionFilter {
  /** The fact to write (an Organization's maybe without its name), or `null` to drop it. */
  keep(fact: Fact): Fact | null;
  /** How many records (`record` facts) were dropped, once pass 2 is over. */
  droppedRecords(): number;
}

export function createProjectionScoper(scope: EstablishmentScope): ProjectionScoper {
  const joins = new UnionFind();
  const wanted = scope === null ? null : new Set(scope.map((f) => f.toUpperCase()));
  const organisations: { group: string; fact: Extract<Fact, { k: 'organisation' }> }[] = [];
  const sejours: { group: string; provider: string }[] = [];
  const usages: { group: string; orgs: string[] }[] = [];
  let group = GROUPLESS;
  let index = 0;
  return {
    observe(fact) {
      if (wanted === null) return;
      if (fact.k === 'record') {
        group = groupKey(fact, index);
        index += 1;
        return;
      }
      for (const ref of personRefs(fact)) joins.union(group, ref);
      if (fact.k === 'organisation') organisations.push({ group, fact });
      else if (fact.k === 'sejour' && fact.provider !== null)
        sejours.push({ group, provider: fact.provider });
      else if (fact.k === 'usage') {
        const orgs = [...(fact.org === null ? [] : [fact.org]), ...(fact.otherOrgs ?? [])];
        if (orgs.length > 0) usages.push({ group, orgs });
      }
    },
    decide() {
      if (wanted === null) return null;
      const configured = (o: Extract<Fact, { k: 'organisation' }>): boolean =>
        [o.fineg, o.finess, o.finej].some((f) => f !== null && wanted.has(f.toUpperCase()));
      const configuredRefs = new Set<string>([...wanted].map((f) => `finess:${f}`));
      for (const { fact } of organisations) {
        if (configured(fact)) for (const ref of [fact.key, ...fact.aliases]) configuredRefs.add(ref);
      }
      // Persons (and records) of a configured ESSMS: a séjour there, or a usage event naming it.
      const keptRoots = new Set<string>();
      for (const s of sejours) if (configuredRefs.has(s.provider)) keptRoots.add(joins.find(s.group));
      for (const u of usages)
        if (u.orgs.some((o) => configuredRefs.has(o))) keptRoots.add(joins.find(u.group));
      const kept = (g: string): boolean => g === GROUPLESS || keptRoots.has(joins.find(g));
      // Organizations: the configured ones, those the kept records name, their `partOf`, and any sharing
      // a key with a kept one (the engine resolves a key shared by two to one of them).
      const refs = new Set(configuredRefs);
      for (const s of sejours) if (kept(s.group)) refs.add(s.provider);
      for (const u of usages) if (kept(u.group)) for (const o of u.orgs) refs.add(o);
      const keptOrgGroups = new Set<string>();
      const named = new Set<Extract<Fact, { k: 'organisation' }>>();
      const parents = new Set<string>();
      for (const { fact } of organisations) {
        if (configured(fact) && fact.partOf !== null) parents.add(fact.partOf);
      }
      for (let changed = true; changed;) {
        changed = false;
        for (const { group: g, fact } of organisations) {
          const keys = [fact.key, ...fact.aliases];
          if (!named.has(fact) && (configured(fact) || keys.some((k) => parents.has(k)))) {
            named.add(fact);
            if (fact.partOf !== null) parents.add(fact.partOf);
            changed = true;
          }
          if (keptOrgGroups.has(g) || !keys.some((k) => refs.has(k))) continue;
          keptOrgGroups.add(g);
          for (const k of keys) refs.add(k);
          if (fact.partOf !== null) refs.add(fact.partOf);
          changed = true;
        }
      }
      let current = GROUPLESS;
      let currentKept = true;
      let position = 0;
      let dropped = 0;
      return {
        keep(fact) {
          if (fact.k === 'record') {
            current = groupKey(fact, position);
            position += 1;
            currentKept = kept(current) || keptOrgGroups.has(current);
            if (!currentKept) dropped += 1;
          }
          if (!currentKept) return null;
          if (fact.k === 'organisation' && !named.has(fact) && fact.name !== null) {
            return { ...fact, name: null };
          }
          return fact;
        },
        droppedRecords: () => dropped,
      };
    },
  };
}

/** Facts read before any `record` fact (projections sealed before issue 9): always kept. */
const GROUPLESS = '#groupless';

/** A record's group: its `Type/id` (every version the same), or its position when it has no id. */
function groupKey(fact: Extract<Fact, { k: 'record' }>, index: number): string {
  return fact.id === null ? `#${index}` : `r:${fact.id}`;
}

/** The references of a fact that may name (or merge into) a person. Organisation references are not. */
function personRefs(fact: Fact): string[] {
  switch (fact.k) {
    case 'patient':
      return [fact.key, ...fact.aliases, ...fact.ins, ...fact.links];
    case 'sejour':
      return [fact.key, ...fact.aliases, ...nonNull(fact.subject, fact.partOf)];
    case 'event':
      return [fact.record, ...nonNull(fact.subject, fact.partOf)];
    case 'projet-personnalise':
      return [fact.record, ...nonNull(fact.subject)];
    case 'update':
      return [fact.record, ...fact.subjects];
    case 'usage':
      return [fact.record, ...nonNull(fact.subject)];
    case 'organisation':
    case 'record':
    case 'problem':
    case 'time-form':
      return [];
  }
}

function nonNull(...values: (string | null)[]): string[] {
  return values.filter((v): v is string => v !== null);
}
