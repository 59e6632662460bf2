#!/usr/bin/env node
// Builds the optional OpenBLAS matmul addon (native/blas-matmul.c -> native/build/plasticd_blas.node).
// Needs only a C compiler and Node's headers; OpenBLAS is dlopen'ed at run time (Debian:
// libopenblas0 or libopenblas-dev). Failure is not an error: plasticd runs without the addon
// (the 'cpu-blas' backend is then reported unavailable). Pass --strict to exit 1 on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const source = join(here, 'blas-matmul.c');
const output = join(here, 'build', 'plasticd_blas.node');

function fail(message) {
  console.error(`native: ${message}`);
  console.error('native: the optional cpu-blas backend will be unavailable; everything else works.');
  process.exit(strict ? 1 : 0);
}

const includeCandidates = [
  process.env.NODE_INCLUDE_DIR,
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const include = includeCandidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (include === undefined) fail(`node_api.h not found (looked in ${includeCandidates.join(', ')}); set NODE_INCLUDE_DIR`);

const compiler = process.env.CC || 'cc';
mkdirSync(dirname(output), { recursive: true });
const args = ['-O2', '-std=c11', '-Wall', '-shared', '-fPIC', '-D_GNU_SOURCE', `-I${include}`, source, '-o', output, '-ldl'];
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.error) fail(`cannot run ${compiler}: ${result.error.message}`);
if (result.status !== 0) fail(`${compiler} exited with ${result.status}`);
console.error(`native: built ${output}`);
