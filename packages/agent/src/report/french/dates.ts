/**
 * Dates, times and time zones as a French reader expects them: `1er avril 2024`, `9 h 05`, and a
 * territory's name with its offset (`La Réunion, UTC+4`) rather than an IANA zone name. Everything takes
 * its instant or date as an argument: rendering reads no clock.
 */

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
] as const;

/** The territories of indicators.md "Local time", by the zone the FINESS number gives. */
const TERRITORIES: Readonly<Record<string, string>> = {
  'Europe/Paris': 'France métropolitaine',
  'America/Guadeloupe': 'Guadeloupe',
  'America/Martinique': 'Martinique',
  'America/Cayenne': 'Guyane',
  'Indian/Reunion': 'La Réunion',
  'America/Miquelon': 'Saint-Pierre-et-Miquelon',
  'Indian/Mayotte': 'Mayotte',
  'Pacific/Wallis': 'Wallis-et-Futuna',
};

/** `2024-04-01` → `1er avril 2024`, `2024-03-31` → `31 mars 2024`; anything else is returned as is. */
export function frenchLongDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (match === null) return date;
  const day = Number(match[3]);
  const month = MONTHS[Number(match[2]) - 1];
  if (month === undefined) return date;
  return `${day === 1 ? '1er' : String(day)} ${month} ${match[1]}`;
}

interface WallClock {
  date: string;
  hour: number;
  minute: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''}`,
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
  };
}

/** An ISO instant on the wall clock of `timeZone`: `1er avril 2024 à 9 h 05`. */
export function frenchLocalDateTime(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const clock = wallClock(instant, safeZone(timeZone));
  return `${frenchLongDate(clock.date)} à ${clock.hour} h ${String(clock.minute).padStart(2, '0')}`;
}

/** The zone's offset from UTC at an instant: `UTC+4`, `UTC−3`, `UTC+5:30`, `UTC+0`. */
export function utcOffsetAt(timeZone: string, instant: Date): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: safeZone(timeZone), timeZoneName: 'longOffset' })
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 'UTC+0';
  const sign = match[1] === '-' ? '\u2212' : '+';
  const hours = String(Number(match[2]));
  return `UTC${sign}${hours}${match[3] === '00' ? '' : `:${match[3] ?? ''}`}`;
}

/** The territory of a zone in French (`La Réunion`), or a neutral wording for any other zone. */
export function territoryName(timeZone: string): string {
  return TERRITORIES[timeZone] ?? 'fuseau horaire configuré';
}

/**
 * The territory with its offset over a period of local dates: `La Réunion, UTC+4`;
 * `France métropolitaine, UTC+1 puis UTC+2` when a change to summer time falls inside it.
 */
export function territoryWithOffset(timeZone: string, period: { start: string; end: string }): string {
  // Noon UTC of each date is inside that local day in every zone of the programme.
  const first = utcOffsetAt(timeZone, new Date(`${period.start}T12:00:00Z`));
  const last = utcOffsetAt(timeZone, new Date(`${period.end}T12:00:00Z`));
  return `${territoryName(timeZone)}, ${first === last ? first : `${first} puis ${last}`}`;
}

/** The territory with its offset at one instant: `La Réunion, UTC+4`. */
export function territoryAt(timeZone: string, iso: string): string {
  const instant = new Date(iso);
  return `${territoryName(timeZone)}, ${utcOffsetAt(timeZone, Number.isNaN(instant.getTime()) ? new Date(0) : instant)}`;
}

/** A zone Intl accepts (a config override may name one this Node does not know): else Paris. */
function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return 'Europe/Paris';
  }
}
