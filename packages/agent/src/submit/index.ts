/**
 * Submission to the ARS (contract.md §4): build the transaction Bundle, keep it in a durable outbox,
 * send it with retries, keep the receipt. The transport is pluggable (`SubmissionTransport`).
 */
export {
  buildSubmission,
  submissionIdentifierValue,
  SUBMISSION_IDENTIFIER_SYSTEM,
  type Submission,
} from './build-submission.js';
export {
  Outbox,
  OUTBOX_STATES,
  type AttemptRecord,
  type EnqueueResult,
  type OutboxEntry,
  type OutboxFailure,
  type OutboxItem,
  type OutboxListing,
  type OutboxOptions,
  type OutboxState,
} from './outbox.js';
export { OutboxCorruptError, isOutboxCorruptError } from './outbox-corrupt-error.js';
export {
  ArsClient,
  MAX_RESPONSE_BYTES,
  SUBMIT_TIMEOUT_MS,
  type ArsAuth,
  type ArsClientOptions,
  type SubmissionPayload,
  type SubmissionTransport,
} from './ars-client.js';
export {
  OAUTH2_TOKEN_EXPIRY_MARGIN_MS,
  type OAuth2ClientCredentials,
} from '../http/oauth2-client-credentials.js';
export { RECEIPT_HEADERS, type SubmissionReceipt } from './receipt.js';
export {
  createRetryPolicy,
  SUBMIT_RETRY_DEFAULTS,
  type RetryContext,
  type RetryDecision,
  type RetryPolicy,
  type RetryPolicyOptions,
} from './retry-policy.js';
export { deliverPending, type DeliverOptions, type DeliveryLogger, type DeliveryOutcome } from './deliver.js';
export { abortableSleep, type Sleep } from './sleep.js';
export {
  SubmissionDeadlineError,
  SubmissionPermanentError,
  SubmissionTransientError,
  isSubmissionPermanentError,
  isSubmissionTransientError,
  type SubmissionFailureDetails,
} from './submission-errors.js';
export { MAX_REASON_CHARS } from './response-classification.js';
export { parseRetryAfterMs } from '../http/retry-after.js';
