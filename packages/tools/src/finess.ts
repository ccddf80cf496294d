/**
 * FINESS numbers for the synthetic establishments: 9 characters, department in positions 1–2, then `0`,
 * then (overseas) the territory digit, and a Luhn key in position 9 (indicators.md "Local time").
 *
 * Written here on purpose, not imported from the SDK's `vocabulary/finess.ts`: the generator makes the test
 * data the engine is checked against (and the DuckDB peer baseline's time zones), so it follows the spec on
 * its own; a mistake in the SDK's FINESS reading then shows up as a mismatch instead of being copied.
 */

/** The Luhn check digit that makes `body + digit` pass the Luhn test. */
export function luhnKey(body: string): number {
  let sum = 0;
  // The key will be the rightmost digit, so the body's rightmost digit is doubled.
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether a 9-digit FINESS passes the Luhn test. */
export function isLuhnValid(finess: string): boolean {
  if (!/^\d{9}$/.test(finess)) return false;
  return luhnKey(finess.slice(0, 8)) === Number(finess[8]);
}

/**
 * Builds a FINESS with a valid key. `prefix` is the department and territory part (`75`, `974`, `976`…);
 * `serial` fills the remaining positions. Corsican prefixes (`2A`, `2B`) get a digit key that is never
 * checked (indicators.md: format only).
 */
export function makeFiness(prefix: string, serial: number): string {
  const department = prefix.slice(0, 2);
  const territory = prefix.length > 2 ? prefix.slice(2) : '';
  const serialWidth = 8 - 3 - territory.length;
  const body = `${department}0${territory}${String(serial).padStart(serialWidth, '0').slice(-serialWidth)}`;
  if (!/^\d{8}$/.test(body)) return `${body}${serial % 10}`;
  return `${body}${luhnKey(body)}`;
}

/** The IANA time zone of an ESSMS from its FINESS, as indicators.md defines it. */
export function timeZoneOfFiness(finess: string): string {
  if (finess.startsWith('970')) {
    switch (finess[3]) {
      case '1':
        return 'America/Guadeloupe';
      case '2':
        return 'America/Martinique';
      case '3':
        return 'America/Cayenne';
      case '4':
        return 'Indian/Reunion';
      case '5':
        return 'America/Miquelon';
      case undefined:
      default:
        return 'Europe/Paris';
    }
  }
  if (finess.startsWith('9805')) return 'Indian/Mayotte';
  if (finess.startsWith('9806')) return 'Pacific/Wallis';
  return 'Europe/Paris';
}
