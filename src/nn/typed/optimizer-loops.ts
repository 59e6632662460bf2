/**
 * The per-element optimizer passes of optimizers.ts as free functions of locals only (V8 optimises
 * these loops more reliably than methods), one range [from, to) per call. The *Plain variants drop
 * the weight-decay terms (same arithmetic without them; V8 runs them 2–3× faster). The native twins
 * are in native/step-kernels.c and must round at the same points.
 */
export function sgdLoop(from: number, to: number, gradient: Float32Array, parameters: Float32Array, buffer: Float32Array | null, scalars: Float64Array, acc: Float64Array): void {
  const momentum = scalars[0];
  const weightDecay = scalars[1];
  const learningRate = scalars[2];
  let gradSq = 0;
  let deltaSq = 0;
  for (let k = from; k < to; k++) {
    const gk = gradient[k];
    gradSq += gk * gk;
    let d = weightDecay > 0 ? gk + parameters[k] * weightDecay : gk;
    if (buffer !== null) d = buffer[k] = buffer[k] * momentum + d;
    const delta = Math.fround(d * learningRate);
    deltaSq += delta * delta;
    parameters[k] -= delta;
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}

export function adamLoop(from: number, to: number, gradient: Float32Array, parameters: Float32Array, m: Float32Array, v: Float32Array, scalars: Float64Array, acc: Float64Array): void {
  const beta1 = scalars[0];
  const beta2 = scalars[1];
  const epsilon = scalars[2];
  const coupled = scalars[4];
  const decoupled = scalars[5];
  const step = scalars[3] * scalars[6];
  const c2 = scalars[7];
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  let gradSq = 0;
  let deltaSq = 0;
  for (let k = from; k < to; k++) {
    const gk = gradient[k];
    gradSq += gk * gk;
    const g = coupled > 0 ? gk + parameters[k] * coupled : gk;
    const mk = (m[k] = m[k] * beta1 + g * a1);
    const vk = (v[k] = v[k] * beta2 + g * g * a2);
    let d = (mk * step) / (Math.sqrt(vk * c2) + epsilon);
    if (decoupled > 0) d += parameters[k] * decoupled;
    const delta = Math.fround(d);
    deltaSq += delta * delta;
    parameters[k] -= delta;
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}

export function adamLoopPerElement(
  from: number,
  to: number,
  gradient: Float32Array,
  parameters: Float32Array,
  m: Float32Array,
  v: Float32Array,
  resetAt: Int32Array,
  c1: Float64Array,
  c2: Float64Array,
  scalars: Float64Array,
  acc: Float64Array,
): void {
  const beta1 = scalars[0];
  const beta2 = scalars[1];
  const epsilon = scalars[2];
  const learningRate = scalars[3];
  const coupled = scalars[4];
  const decoupled = scalars[5];
  const count = scalars[8] | 0;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const last = c1.length - 1;
  let gradSq = 0;
  let deltaSq = 0;
  for (let k = from; k < to; k++) {
    const gk = gradient[k];
    gradSq += gk * gk;
    const g = coupled > 0 ? gk + parameters[k] * coupled : gk;
    const mk = (m[k] = m[k] * beta1 + g * a1);
    const vk = (v[k] = v[k] * beta2 + g * g * a2);
    const t = count - resetAt[k];
    const index = t < last ? t : last;
    let d = (mk * c1[index] * learningRate) / (Math.sqrt(vk * c2[index]) + epsilon);
    if (decoupled > 0) d += parameters[k] * decoupled;
    const delta = Math.fround(d);
    deltaSq += delta * delta;
    parameters[k] -= delta;
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}

/** adamLoop without weight decay (coupled = decoupled = 0): the same arithmetic, fewer branches. */
export function adamLoopPlain(from: number, to: number, gradient: Float32Array, parameters: Float32Array, m: Float32Array, v: Float32Array, scalars: Float64Array, acc: Float64Array): void {
  const beta1 = scalars[0];
  const beta2 = scalars[1];
  const epsilon = scalars[2];
  const step = scalars[3] * scalars[6];
  const c2 = scalars[7];
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  let gradSq = 0;
  let deltaSq = 0;
  for (let k = from; k < to; k++) {
    const g = gradient[k];
    gradSq += g * g;
    const mk = m[k] * beta1 + g * a1;
    m[k] = mk;
    const vk = v[k] * beta2 + g * g * a2;
    v[k] = vk;
    const delta = Math.fround((mk * step) / (Math.sqrt(vk * c2) + epsilon));
    deltaSq += delta * delta;
    parameters[k] -= delta;
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}

/** adamLoopPerElement without weight decay. */
export function adamLoopPerElementPlain(
  from: number,
  to: number,
  gradient: Float32Array,
  parameters: Float32Array,
  m: Float32Array,
  v: Float32Array,
  resetAt: Int32Array,
  c1: Float64Array,
  c2: Float64Array,
  scalars: Float64Array,
  acc: Float64Array,
): void {
  const beta1 = scalars[0];
  const beta2 = scalars[1];
  const epsilon = scalars[2];
  const learningRate = scalars[3];
  const count = scalars[8] | 0;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const last = c1.length - 1;
  let gradSq = 0;
  let deltaSq = 0;
  for (let k = from; k < to; k++) {
    const g = gradient[k];
    gradSq += g * g;
    const mk = m[k] * beta1 + g * a1;
    m[k] = mk;
    const vk = v[k] * beta2 + g * g * a2;
    v[k] = vk;
    const t = count - resetAt[k];
    const index = t < last ? t : last;
    const delta = Math.fround((mk * c1[index] * learningRate) / (Math.sqrt(vk * c2[index]) + epsilon));
    deltaSq += delta * delta;
    parameters[k] -= delta;
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}

/**
 * adamLoopPerElement over [from, to) inside one row-major block at `offset` of `cols` columns, with
 * the corrections of entry (r, c) read as max(rowC[r], colC[c]) (unit-reset-clocks.ts): the same
 * table values as the per-element lookup, so the same parameters bit for bit.
 */
export function adamLoopRows(
  from: number,
  to: number,
  offset: number,
  cols: number,
  gradient: Float32Array,
  parameters: Float32Array,
  m: Float32Array,
  v: Float32Array,
  rowC1: Float64Array,
  rowC2: Float64Array,
  colC1: Float64Array,
  colC2: Float64Array,
  scalars: Float64Array,
  acc: Float64Array,
): void {
  const beta1 = scalars[0];
  const beta2 = scalars[1];
  const epsilon = scalars[2];
  const learningRate = scalars[3];
  const coupled = scalars[4];
  const decoupled = scalars[5];
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  let gradSq = 0;
  let deltaSq = 0;
  let r = Math.floor((from - offset) / cols);
  let c = from - offset - r * cols;
  for (let k = from; k < to; r++, c = 0) {
    const rowEnd = Math.min(to, offset + (r + 1) * cols);
    const r1 = rowC1[r];
    const r2 = rowC2[r];
    for (; k < rowEnd; k++, c++) {
      const gk = gradient[k];
      gradSq += gk * gk;
      const g = coupled > 0 ? gk + parameters[k] * coupled : gk;
      const mk = (m[k] = m[k] * beta1 + g * a1);
      const vk = (v[k] = v[k] * beta2 + g * g * a2);
      const c1 = colC1[c] > r1 ? colC1[c] : r1;
      const c2 = colC2[c] > r2 ? colC2[c] : r2;
      let d = (mk * c1 * learningRate) / (Math.sqrt(vk * c2) + epsilon);
      if (decoupled > 0) d += parameters[k] * decoupled;
      const delta = Math.fround(d);
      deltaSq += delta * delta;
      parameters[k] -= delta;
    }
  }
  acc[0] += gradSq;
  acc[1] += deltaSq;
}
