// Types of fhir-server.mjs, for the TypeScript tests that start it in-process.

export declare const DEFAULT_PAGE_SIZE: number;
export declare const MAX_PAGE_SIZE: number;

export interface FhirFixtureServerOptions {
  /** Directory of `.ndjson`/`.jsonl` files (gzip too). */
  dataDir: string;
  /** 0 (the default) for an ephemeral port. */
  port?: number;
  host?: string;
  /** When set, every request but `/metadata` needs `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Default `/fhir`. */
  basePath?: string;
}

export interface FhirFixtureServer {
  /** The FHIR base URL (`http://127.0.0.1:<port>/fhir`). */
  url: string;
  /** Resources loaded, by type. */
  counts: Record<string, number>;
  /** Path and query of every request served, in order. */
  requests: string[];
  close(): Promise<void>;
}

export declare function startFhirServer(options: FhirFixtureServerOptions): Promise<FhirFixtureServer>;
