import type { Digest } from './canonical-json.js';
import { hashBlobFile, locateBlob } from './blobs.js';
import type { BlobOutcome } from './verify-run.js';

/** Each blob of a store hashed at most once per verification, however many entries reference it. */
export interface BlobChecks {
  check(digest: Digest, maxBytes?: number): Promise<BlobOutcome>;
  /** Records the outcome of a blob hashed elsewhere (the projection, while it is decoded). */
  record(digest: Digest, outcome: BlobOutcome): void;
  has(digest: Digest): boolean;
}

export function blobChecks(dir: string): BlobChecks {
  const checks = new Map<Digest, Promise<BlobOutcome>>();
  return {
    check(digest, maxBytes) {
      let check = checks.get(digest);
      if (check === undefined) {
        check = locateBlob(dir, digest).then(async (location) => {
          if (location === null) return 'missing';
          try {
            const actual = await hashBlobFile(location, maxBytes);
            return actual.digest === digest && (maxBytes === undefined || actual.bytes === maxBytes)
              ? 'ok'
              : 'altered';
          } catch {
            return 'altered';
          }
        });
        checks.set(digest, check);
      }
      return check;
    },
    record(digest, outcome) {
      checks.set(digest, Promise.resolve(outcome));
    },
    has: (digest) => checks.has(digest),
  };
}
