/**
 * The JSON Schema of rules.yaml, derived from the zod definitions the validator uses. Build time only.
 */
import { z } from 'zod';
import { rulesFile } from './schema.ts';

export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(rulesFile(), { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://switchyard.dev/schema/rules.schema.json',
    title: 'Switchyard rules.yaml',
  };
}
