// Checks the shape of src/ that reviews keep asking for, so it stays so (npm test runs it):
//   1. no import circle between src/ folders (a file at src/ itself counts as the folder "(root)"), type
//      imports included — core/ depends on nothing, state/ and pipeline/ never on each other both ways;
//   2. no function in src/pipeline/ takes more than four positional parameters (stages share one context).
// Test files are left out: they may reach anywhere. Prints every offence, exits 1 when there is one.
//   node scripts/check-structure.ts
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
export const MAX_POSITIONAL = 4;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const folderOf = (file: string): string => {
  const parts = relative(root, file).split('/');
  return parts.length === 1 ? '(root)' : parts[0]!;
};

/** Folder → folders it imports, with one example import per edge. */
export function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const specs: string[] = [];
    sf.forEachChild((node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
        specs.push(node.moduleSpecifier.text);
    });
    for (const spec of specs.filter((s) => s.startsWith('.'))) {
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), spec));
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative(root, file)} imports ${spec}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every elementary cycle's first appearance, as a list of folders (a → b → a). */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]): void => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) {
        const cycle = [...path, start];
        const key = [...path].sort().join(',');
        if (!found.has(key)) found.set(key, cycle);
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...graph.keys()].sort()) walk(start, start, [start]);
  return [...found.values()];
}

/** Functions in `files` with more than MAX_POSITIONAL parameters. */
export function longParameterLists(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && !ts.isFunctionTypeNode(node) && !ts.isMethodSignature(node) && node.parameters.length > MAX_POSITIONAL) {
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        out.push(`${relative(root, file)}:${line + 1} takes ${node.parameters.length} positional parameters (at most ${MAX_POSITIONAL})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = sources(root);
  const graph = folderGraph(files);
  const problems = [
    ...cycles(graph).map(
      (c) =>
        `import circle between src/ folders: ${c.join(' → ')} (${c
          .slice(0, -1)
          .map((f, i) => graph.get(f)!.get(c[i + 1]!))
          .join('; ')})`,
    ),
    ...longParameterLists(files.filter((f) => folderOf(f) === 'pipeline')),
  ];
  for (const p of problems) console.error(`structure: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(
    `structure: ${files.length} modules in ${graph.size} folders, no import circle; no pipeline function over ${MAX_POSITIONAL} positional parameters`,
  );
}
