#!/usr/bin/env node
// Builds the optional native addon (native/*.c -> native/build/plasticd_blas.node): OpenBLAS matmul for
// tfjs's cpu-blas backend and the typed engine, the typed engine's element-wise kernels, the monitor's
// unit-tracker update, the window metrics' Gram and eigenvalue kernels, and the C library's sin/cos/pow
// that make the classic-control envs round exactly as Gymnasium (src/util/libm.ts).
// Needs only a C compiler and Node's headers; OpenBLAS is dlopen'ed at run time (Debian:
// libopenblas0 or libopenblas-dev). Failure is not an error: plasticd runs without the addon
// (the 'cpu-blas' backend is then reported unavailable, and the envs use JavaScript's sin/cos). Pass
// --strict to exit 1 on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const sources = [join(here, 'blas-matmul.c'), join(here, 'step-kernels.c'), join(here, 'spectral-kernels.c'), join(here, 'tracker-kernels.c'), join(here, 'libm-kernels.c')];
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
// -ffp-contract=off: no FMA contraction, so the kernels round exactly like the JS loops they replace;
// -fno-math-errno and -fno-trapping-math let sqrt and selects vectorise (values unchanged: they only
// drop errno and FP-exception flags); -fopenmp-simd honours `#pragma omp simd` without an OpenMP runtime.
const flags = ['-O3', '-std=c11', '-Wall', '-ffp-contract=off', '-fno-math-errno', '-fno-trapping-math', '-fopenmp-simd', '-shared', '-fPIC', '-D_GNU_SOURCE'];
const args = [...flags, `-I${include}`, `-I${here}`, ...sources, '-o', output, '-ldl', '-lm'];
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.error) fail(`cannot run ${compiler}: ${result.error.message}`);
if (result.status !== 0) fail(`${compiler} exited with ${result.status}`);
console.error(`native: built ${output}`);
