import * as z from 'zod';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_TIMESTAMP_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  DEFAULT_EVIDENCE_RETENTION_YEARS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_SCHEDULE_CRON,
  DEFAULT_TIMEZONE,
  LOG_LEVELS,
} from './config-defaults.js';
import { alertsSchema } from './alerts-schema.js';
import { arsSchema } from './ars-schema.js';
import {
  cronSchema,
  finessSchema,
  httpUrlSchema,
  localDateSchema,
  pathSchema,
  positiveIntSchema,
  timeZoneSchema,
} from './schema-primitives.js';
import { serveSchema } from './serve-schema.js';
import { sourceSchema } from './source-schema.js';

/** An ESSMS this agent reports for, by its FINESS géographique (ET). */
export const establishmentSchema = z.strictObject({
  finess: finessSchema,
  /** Overrides the time zone the SDK derives from the FINESS (indicators.md "Local time"). */
  timezone: timeZoneSchema.optional(),
});

/** When the daemon runs. The measure date is resolved in this time zone. */
export const scheduleSchema = z.strictObject({
  cron: cronSchema.default(DEFAULT_SCHEDULE_CRON),
  timezone: timeZoneSchema.default(DEFAULT_TIMEZONE),
  /** On start, run a scheduled run that was missed while the agent was stopped. */
  catchUp: z.boolean({ error: 'must be true or false' }).default(true),
});

/**
 * How a run picks its measure date D (indicators.md): the 1st of the current month in the schedule's
 * time zone, or a fixed date (a re-run for a past period).
 */
export const measureDateRuleSchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('first-day-of-current-month') }),
  z.strictObject({ rule: z.literal('fixed'), date: localDateSchema }),
]);

/** The named decisions of indicators.md, passed to the SDK. */
export const computationSchema = z.strictObject({
  denominatorScope: z.enum(['period', 'calendar-year']).default('period'),
  countCancelledEvents: z.boolean({ error: 'must be true or false' }).default(true),
  /** `lenient`: a failing FINESS key is a warning (the official TDDUI examples fail it); `strict`: an error. */
  finessMode: z.enum(['lenient', 'strict']).default('lenient'),
  /** Start of the e-parcours project, for the cumulative `echanges-e-parcours` count; `null` when none. */
  projectStartDate: localDateSchema.nullable().default(null),
  /** For DUIs that use CarePlan only for the projet personnalisé (data-model.md). */
  allCarePlansAreProjetPersonnalise: z.boolean({ error: 'must be true or false' }).default(false),
});

/**
 * An RFC 3161 time-stamping authority (optional): every journal entry's hash is time-stamped, the token
 * kept in the store (`timestamps/`), and `esms verify --tsa-ca FILE` checks the tokens offline.
 */
export const timestampingSchema = z.strictObject({
  /** The TSA's endpoint (`POST application/timestamp-query`). */
  url: httpUrlSchema,
  /**
   * The TSA's CA certificate (PEM): tokens are checked against it before they are kept, and `esms verify`,
   * `esms export` and `esms report` check them with it.
   */
  caFile: pathSchema.nullable().default(null),
  timeoutMs: positiveIntSchema(MAX_TIMEOUT_MS).default(DEFAULT_TIMESTAMP_TIMEOUT_MS),
  /** `null`: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables. */
  proxy: httpUrlSchema.nullable().default(null),
});

export const evidenceSchema = z.strictObject({
  /** How many years evidence must be kept (the programme's audits look years back). */
  retentionYears: positiveIntSchema(100).default(DEFAULT_EVIDENCE_RETENTION_YEARS),
  /** Nothing is ever deleted unless this is `true` (contract.md §5: never deletes by default). */
  deleteExpired: z.boolean({ error: 'must be true or false' }).default(false),
  /** `null` (the default): no trusted timestamps. */
  timestamping: timestampingSchema.nullable().default(null),
});

export const loggingSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default(DEFAULT_LOG_LEVEL),
  /** `auto`: human-readable on a terminal, JSON lines otherwise. */
  format: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

/** The whole agent configuration (`esms.config.yaml`). Every object is strict: an unknown key is an error. */
export const agentConfigSchema = z.strictObject({
  /**
   * The ESSMS reported (contract.md §4 "Scope"); empty or absent: every ESSMS of the data, as `esms compute`
   * does (scope/establishment-scope.ts).
   */
  establishments: z
    .array(establishmentSchema)
    .check((ctx) => {
      const seen = new Set<string>();
      ctx.value.forEach((establishment, index) => {
        if (seen.has(establishment.finess)) {
          ctx.issues.push({
            code: 'custom',
            input: establishment.finess,
            path: [index, 'finess'],
            message: `FINESS ${establishment.finess} is listed twice`,
          });
        }
        seen.add(establishment.finess);
      });
    })
    .default([]),
  sources: z.array(sourceSchema).min(1, { error: 'needs at least one source (type fhir or ndjson)' }),
  schedule: scheduleSchema.prefault({}),
  measureDate: measureDateRuleSchema.prefault({ rule: 'first-day-of-current-month' }),
  computation: computationSchema.prefault({}),
  /** `null` (or absent): nothing is submitted; figures are sealed and can be exported for a portal upload. */
  ars: arsSchema.nullable().default(null),
  /** Outbox, run records and evidence. */
  dataDir: pathSchema.default(DEFAULT_DATA_DIR),
  evidence: evidenceSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  /**
   * Told when a run fails or a submission is kept as failed; nothing by default. Absent stays absent (no
   * defaults filled in), so a config without alerts keeps the digest earlier versions sealed for it.
   */
  alerts: alertsSchema.optional(),
  /** `esms serve`; absent stays absent (the config digest of configs without it is unchanged). */
  serve: serveSchema.optional(),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
export type EstablishmentConfig = z.output<typeof establishmentSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type MeasureDateRule = z.output<typeof measureDateRuleSchema>;
export type ComputationConfig = z.output<typeof computationSchema>;
export type EvidenceConfig = z.output<typeof evidenceSchema>;
export type TimestampingConfig = z.output<typeof timestampingSchema>;
export type LoggingConfig = z.output<typeof loggingSchema>;
