/**
 * The source of a `new Worker(source, { eval: true })` that runs a TypeScript module in a thread.
 * Node 20 does not apply `--import tsx` to a worker's own entry module, so the thread starts from this
 * tiny script: it registers tsx's ESM and CommonJS hooks (as `--import tsx` does), then imports the
 * module; a failed import is rethrown outside the promise so the Worker emits 'error'.
 */
export function tsxWorkerSource(moduleUrl: string): string {
  return `Promise.all([import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}), import(${JSON.stringify(import.meta.resolve('tsx/cjs/api'))})])
  .then(([esm, cjs]) => { esm.register(); cjs.register(); return import(${JSON.stringify(moduleUrl)}); })
  .catch((error) => { setImmediate(() => { throw error; }); });`;
}
