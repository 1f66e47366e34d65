/**
 * One rules file with another's sources and routes added (`build-rules --add`): the sources beside its own, the
 * routes after its own. The workerd and Node tests run the example this way with test/rules.workerd.yaml.
 * Pure (YAML in, YAML out), comments and positions of the first file kept.
 */
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';

export function withAdditions(text: string, extraText: string): string {
  const doc = parseDocument(text);
  const extra = parseDocument(extraText);
  const sources = doc.get('sources') as YAMLMap;
  for (const pair of (extra.get('sources') as YAMLMap | undefined)?.items ?? []) sources.add(pair);
  const routes = doc.get('routes') as YAMLSeq;
  for (const item of (extra.get('routes') as YAMLSeq | undefined)?.items ?? []) routes.add(item);
  return doc.toString();
}
