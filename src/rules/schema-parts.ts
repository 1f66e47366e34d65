/**
 * The rules schema's own zod building blocks: the `when:` condition language (derived from the operator table
 * in conditions.ts) and time intervals. The parts target kinds share are in core/schema-parts.ts.
 * Build time only.
 */
import { z } from 'zod';
import { FIELD_OPERATORS, type FieldOp } from './conditions.ts';
import { PRELUDE_EVENTS, PREQUEL_EVENTS } from '../core/catalogue.ts';

const ScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const OPERAND_SCHEMAS = {
  scalar: () => ScalarSchema,
  list: () => z.array(ScalarSchema),
  string: () => z.string().min(1),
  number: () => z.number(),
  boolean: () => z.boolean(),
} as const;

const OperatorMap = z
  .strictObject(
    Object.fromEntries(
      (Object.keys(FIELD_OPERATORS) as FieldOp[]).map((op) => [
        op,
        OPERAND_SCHEMAS[FIELD_OPERATORS[op].operand]().optional().describe(FIELD_OPERATORS[op].meaning),
      ]),
    ),
  )
  .describe('Operators; when several are given, all must hold');

const FieldValue = z
  .union([ScalarSchema.describe('equals (a string containing * is a glob)'), z.array(ScalarSchema).describe('equals one of'), OperatorMap])
  .describe('A value, a list of values, or an operator map');

/** Every event type the vendors' catalogues know, offered by editors as `type:` values (any string passes). */
const KnownType = z
  .enum([...new Set([...Object.keys(PREQUEL_EVENTS), ...Object.keys(PRELUDE_EVENTS)])].sort() as [string, ...string[]])
  .describe('An event type Prequel or Prelude sends (docs/sources/)');
const TypeValue = z
  .union([
    KnownType,
    ScalarSchema.describe('equals (a string containing * is a glob)'),
    z.array(z.union([KnownType, ScalarSchema])).describe('equals one of'),
    OperatorMap,
  ])
  .describe('The event type: a value, a list of values, or an operator map');

/** The `when:` language as a schema, for editors (the loader's own checks give the positioned messages). */
export const WhenSchema: z.ZodType = z.lazy(() =>
  z
    .object({
      type: TypeValue.optional(),
      all: z.array(WhenSchema).min(1).optional().describe('Every condition holds'),
      any: z.array(WhenSchema).min(1).optional().describe('At least one condition holds'),
      not: WhenSchema.optional().describe('The condition does not hold'),
    })
    .catchall(FieldValue)
    .describe('Field paths (type, source, data.…, payload.…, data.list[0], data.list[*]) mapped to conditions; all must hold'),
);

/** One entry of a named time interval (Alertmanager's time_intervals); the values are checked by time-intervals.ts. */
export const TimeIntervalSchema = z
  .strictObject({
    weekdays: z.array(z.string()).min(1).optional().describe('e.g. [monday:friday] or [saturday, sunday]'),
    times: z
      .array(z.strictObject({ start: z.string().describe('HH:MM'), end: z.string().describe('HH:MM (24:00 for midnight)') }))
      .min(1)
      .optional()
      .describe('Times of day, start inclusive, end exclusive'),
    days_of_month: z.array(z.string()).min(1).optional().describe('e.g. ["1:7"], ["-1"] (the last day)'),
    months: z.array(z.string()).min(1).optional().describe('e.g. [january:march] or ["12"]'),
    years: z.array(z.string()).min(1).optional().describe('e.g. ["2026:2027"]'),
    location: z.string().optional().describe('IANA time zone the other fields are read in (default UTC), e.g. Europe/Paris'),
  })
  .describe('Every given part must hold');
