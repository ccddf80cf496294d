/**
 * The SDK's typed errors. The computation never throws on bad *data* (that is reported in
 * `dataQuality`); it throws only when the caller's *options* are wrong.
 */
export type SdkErrorCode = 'invalid-options' | 'engine-finished';

export class SdkError extends Error {
  override readonly name: string = 'SdkError';
  readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface OptionIssue {
  key: string;
  message: string;
}

/** Invalid computation options: lists every problem, each with its key. */
export class SdkOptionsError extends SdkError {
  override readonly name = 'SdkOptionsError';
  readonly issues: readonly OptionIssue[];

  constructor(issues: readonly OptionIssue[]) {
    super('invalid-options', `invalid options: ${issues.map((i) => `${i.key} ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

export function isSdkError(value: unknown): value is SdkError {
  return value instanceof SdkError;
}
