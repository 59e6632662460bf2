/**
 * The regularizers of regularizers.ts (algorithms.md §2.6–2.10) on Float32Arrays, in place, for the
 * typed-array engine: the same terms in the same order, so both engines agree.
 */
import type { ParameterLayout } from '../parameter-layout.ts';
import type { ResolvedRegularizers } from '../regularizers.ts';

/** Per slot, the initial values sorted in descending order (the order tf.topk yields). */
export function sortedInitialValues(layout: ParameterLayout, initial: Float32Array): Float32Array {
  const sorted = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    const part = initial.slice(slot.offset, slot.offset + slot.size).sort().reverse();
    sorted.set(part, slot.offset);
  }
  return sorted;
}

/** Scratch space reused across steps. */
export class RegularizerScratch {
  readonly order: Uint32Array;
  constructor(size: number) {
    this.order = new Uint32Array(size);
  }
}

/**
 * gradient += λθ (l2) + 2λ(θ − θ0) (l2Init) + 2λ(θ − θ0↑[rank θ]) (wasserstein) + N(0,1)·σ0·γ^t·‖g‖ (noise).
 * `gradNorm` is the norm of the loss gradient alone; `normals` is null unless gradient noise is on.
 */
export function addRegularizerTerms(args: {
  regs: ResolvedRegularizers;
  layout: ParameterLayout;
  gradient: Float32Array;
  gradNorm: number;
  parameters: Float32Array;
  initial: Float32Array;
  sortedInitial: Float32Array | null;
  normals: Float32Array | null;
  update: number;
  scratch: RegularizerScratch;
}): void {
  const { regs, gradient: g, parameters: p, initial } = args;
  const n = g.length;
  if (regs.l2 > 0) for (let k = 0; k < n; k++) g[k] += p[k] * regs.l2;
  if (regs.l2Init > 0) {
    const c = 2 * regs.l2Init;
    for (let k = 0; k < n; k++) g[k] += (p[k] - initial[k]) * c;
  }
  if (regs.wasserstein > 0 && args.sortedInitial) {
    const c = 2 * regs.wasserstein;
    const order = args.scratch.order;
    const sorted = args.sortedInitial;
    for (const slot of args.layout.slots) {
      const { offset, size } = slot;
      const view = order.subarray(offset, offset + size);
      for (let j = 0; j < size; j++) view[j] = offset + j;
      // Descending by value, ties by index (tf.topk's order).
      view.sort((a, b) => p[b] - p[a] || a - b);
      for (let j = 0; j < size; j++) {
        const k = view[j];
        g[k] += (p[k] - sorted[offset + j]) * c;
      }
    }
  }
  if (regs.noiseScale > 0 && args.normals) {
    const scale = args.gradNorm * regs.noiseScale * Math.pow(regs.noiseDecay, args.update);
    const normals = args.normals;
    for (let k = 0; k < n; k++) g[k] += normals[k] * scale;
  }
}

/** θ ← shrink·θ + σ·ε after the optimizer step. */
export function applyShrinkAndPerturb(regs: ResolvedRegularizers, parameters: Float32Array, normals: Float32Array | null): void {
  const n = parameters.length;
  if (regs.shrink !== 1) for (let k = 0; k < n; k++) parameters[k] *= regs.shrink;
  if (regs.perturbStd > 0 && normals) for (let k = 0; k < n; k++) parameters[k] += normals[k] * regs.perturbStd;
}
