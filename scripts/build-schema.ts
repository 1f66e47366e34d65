/**
 * Writes schema/rules.schema.json from the same zod definitions the validator uses (never edited by hand;
 * a test fails when the committed file differs from what this produces). Editors that speak JSON Schema
 * (the YAML language server: see the first line of rules.example.yaml) complete and check rules.yaml with it.
 *   node scripts/build-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesJsonSchema } from '../src/rules/json-schema.ts';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../schema/rules.schema.json');
const text = `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    console.error('schema/rules.schema.json is out of date: run node scripts/build-schema.ts');
    process.exitCode = 1;
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
