// The rules text the load benchmark bundles, supplied by bench/load-bench.mjs through an esbuild plugin
// (the generated module exists only during a benchmark run).
declare module 'virtual:bench-rules' {
  export const RULES_JSON: string;
}
