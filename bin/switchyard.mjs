#!/usr/bin/env node
// The switchyard command line: check, explain and test rules.yaml offline. The sources are TypeScript, run
// through Node's type stripping (Node ≥ 22.18; `npm install` brings Node 22 into node_modules/.bin, which
// `npx switchyard` and npm scripts put first on PATH).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`switchyard: needs Node 22.18 or newer (this is ${process.version}); run it as \`npx switchyard\` after \`npm install\`.`);
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
