/**
 * The kinds of syntax error V8's `JSON.parse` reports (Node 20+). Its messages quote the offending text
 * (`Unexpected token 'a', "{"name":"Jean…" is not valid JSON`), which may be health data, so a reason is rebuilt
 * from this closed list and the numeric position only: nothing of the line's content can get through.
 */
const JSON_SYNTAX_ERROR_KINDS: readonly string[] = [
  'Unexpected end of JSON input',
  'Unexpected non-whitespace character after JSON',
  'Unexpected token',
  'Unexpected number',
  'Unexpected string',
  "Expected property name or '}'",
  "Expected ',' or '}' after property value",
  "Expected ',' or ']' after array element",
  "Expected ':' after property name",
  'Expected double-quoted property name',
  'Unterminated string',
  'Bad control character in string literal',
  'Bad escaped character',
  'Bad Unicode escape',
  'Exponent part is missing a number',
  'Unterminated fractional number',
  'No number after minus sign',
];

/** Anchored at the end: V8 puts the position last, after any quoted content. */
const POSITION_AT_END = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/;

/**
 * Describes a `JSON.parse` failure without any of the parsed text: `invalid JSON (Unterminated string at position 7)`.
 */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const kind = JSON_SYNTAX_ERROR_KINDS.find((candidate) => message.startsWith(candidate)) ?? 'syntax error';
  const position = POSITION_AT_END.exec(message)?.[1];
  return position === undefined ? `invalid JSON (${kind})` : `invalid JSON (${kind} at position ${position})`;
}
