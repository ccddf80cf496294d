/** Types of receiver.mjs, for the TypeScript tests that start it (the receiver itself is plain JavaScript). */

export declare const SUBMISSION_IDENTIFIER_SYSTEM: 'https://esms-numerique.github.io/fhir/submission';
export declare const EVIDENCE_SEAL_URL: 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
export declare const EVIDENCE_SEAL_PREVIOUS_URL: 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal-previous';
export declare const MEASURE_CANONICAL_BASE: 'https://esms-numerique.github.io/fhir/Measure/';
export declare const FINESS_SYSTEM: 'https://finess.esante.gouv.fr';
export declare const MEASURE_IDS: readonly string[];
export declare const MAX_BODY_BYTES: number;

/** One injected fault, applied to the next submission request(s). */
export interface Fault {
  /** Answer with this HTTP status (and an OperationOutcome) instead of processing. */
  status?: number;
  /** With `status`: a `Retry-After` header, in seconds. */
  retryAfter?: number;
  /** Wait this long before doing anything else. */
  delayMs?: number;
  /** Destroy the connection without answering (nothing stored). */
  drop?: boolean;
  /** Process and store normally, then destroy the connection: the client never sees the receipt. */
  dropAfterStore?: boolean;
  /** Apply this fault to this many consecutive requests (default 1). */
  times?: number;
}

export interface ReceiverOptions {
  dataDir: string;
  port?: number;
  host?: string;
  faults?: Fault[];
  bearerToken?: string;
}

export interface ReceiverStats {
  requests: number;
  accepted: number;
  rejected: number;
  storedReports: number;
  duplicatesAvoided: number;
  idempotentReplays: number;
  faultsApplied: number;
  pendingFaults: number;
}

export interface Receiver {
  /** The submission endpoint, `http://host:port/fhir`. */
  url: string;
  close(): Promise<void>;
  stats(): ReceiverStats;
  addFaults(faults: Fault[]): void;
}

export interface Issue {
  severity: 'error';
  code: string;
  diagnostics: string;
  expression?: string[];
}

export declare function createReceiver(options: ReceiverOptions): Promise<Receiver>;
export declare function validateBundle(bundle: unknown): Issue[];
