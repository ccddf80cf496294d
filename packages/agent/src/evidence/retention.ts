import type { JournalEntry } from './journal.js';

/**
 * The entries older than the configured retention. Reported only: deleting evidence is out of scope
 * (contract.md §5, "never deletes by default"), and deleting an entry would break the chain of every
 * entry after it; a future deletion feature would need a signed "expired" entry, not a rewrite.
 */
export function entriesBeyondRetention(
  entries: readonly Pick<JournalEntry, 'seq' | 'time'>[],
  retentionYears: number,
  now: Date,
): Pick<JournalEntry, 'seq' | 'time'>[] {
  const limit = new Date(now.getTime());
  limit.setUTCFullYear(limit.getUTCFullYear() - retentionYears);
  return entries.filter((entry) => {
    const time = Date.parse(entry.time);
    return Number.isFinite(time) && time < limit.getTime();
  });
}
