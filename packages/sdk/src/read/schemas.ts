import { z } from 'zod';
import { parseFhirTime } from '../vocabulary/time.js';

/**
 * Validation at the boundary: the shape of every field the rules read, per resource type. Fields the
 * rules do not read are let through untouched (loose objects): a DUI's extensions are none of our business.
 * Messages name the path and the problem, never the value (it may be health data).
 */

const fhirTime = z.string().refine((s) => !Number.isNaN(parseFhirTime(s, 'start')), {
  message: 'not a valid FHIR date, dateTime or instant',
});

const coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
const codeableConcept = z.looseObject({ coding: z.array(coding).optional(), text: z.string().optional() });
const identifier = z.looseObject({
  system: z.string().optional(),
  value: z.string().optional(),
  type: codeableConcept.optional(),
});
const reference = z.looseObject({
  reference: z.string().optional(),
  type: z.string().optional(),
  identifier: identifier.optional(),
});
const period = z.looseObject({ start: fhirTime.optional(), end: fhirTime.optional() });
const meta = z.looseObject({ lastUpdated: fhirTime.optional(), profile: z.array(z.string()).optional() });

const base = {
  resourceType: z.string(),
  id: z.string().min(1).optional(),
  meta: meta.optional(),
};

const organizationSchema = z.looseObject({
  ...base,
  identifier: z.array(identifier).optional(),
  name: z.string().optional(),
  partOf: reference.optional(),
});

const patientSchema = z.looseObject({
  ...base,
  identifier: z.array(identifier).optional(),
  link: z.array(z.looseObject({ other: reference, type: z.string() })).optional(),
});

const encounterSchema = z.looseObject({
  ...base,
  status: z.string(),
  identifier: z.array(identifier).optional(),
  subject: reference.optional(),
  serviceProvider: reference.optional(),
  partOf: reference.optional(),
  period: period.optional(),
});

const episodeOfCareSchema = z.looseObject({
  ...base,
  status: z.string(),
  identifier: z.array(identifier).optional(),
  patient: reference,
  managingOrganization: reference.optional(),
  period: period.optional(),
});

const appointmentSchema = z.looseObject({
  ...base,
  status: z.string(),
  start: fhirTime.optional(),
  participant: z.array(z.looseObject({ actor: reference.optional() })),
});

const carePlanSchema = z.looseObject({
  ...base,
  status: z.string(),
  identifier: z.array(identifier).optional(),
  category: z.array(codeableConcept).optional(),
  subject: reference,
  created: fhirTime.optional(),
  period: period.optional(),
});

const auditEventSchema = z.looseObject({
  ...base,
  type: coding,
  action: z.string().optional(),
  recorded: fhirTime,
  outcome: z.string().optional(),
  agent: z.array(z.looseObject({ who: reference.optional() })).optional(),
  entity: z.array(z.looseObject({ what: reference.optional() })).optional(),
});

/** Any other resource: only what makes it a record about a person. */
export const otherResourceSchema = z.looseObject({
  ...base,
  subject: reference.optional(),
  patient: reference.optional(),
});

export const SCHEMAS_BY_TYPE: Readonly<Record<string, z.ZodType>> = {
  Organization: organizationSchema,
  Patient: patientSchema,
  Encounter: encounterSchema,
  EpisodeOfCare: episodeOfCareSchema,
  Appointment: appointmentSchema,
  CarePlan: carePlanSchema,
  AuditEvent: auditEventSchema,
};

/** One short, value-free description of why a record failed validation. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
