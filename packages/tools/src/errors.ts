/** Failure kinds of the tools package (a closed union, one code per way a caller reacts differently). */
export type ToolsErrorCode = 'bad-usage' | 'io' | 'child-failed' | 'baseline-mismatch' | 'baseline-failed';

/** Base error of the generator and the benchmark, with a closed `code` and the original `cause`. */
export class ToolsError extends Error {
  readonly code: ToolsErrorCode;

  constructor(code: ToolsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolsError';
    this.code = code;
  }
}

export function isToolsError(value: unknown): value is ToolsError {
  return value instanceof ToolsError;
}
