/**
 * Runs every `bench/*.bench.ts` in name order; each default-exports an async function that prints
 * its own table. `npm run bench -- envs` runs only the files whose name contains "envs".
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matched ${filters.join(', ') || '(none found)'}; available: ${readdirSync(here).filter((n) => n.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}

for (const name of files) {
  console.log(`\n== ${name} ==`);
  const module = (await import(pathToFileURL(join(here, name)).href)) as { default?: () => Promise<void> };
  if (typeof module.default !== 'function') {
    console.error(`${name} has no default-exported function; skipped`);
    continue;
  }
  await module.default();
}
