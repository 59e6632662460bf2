/*
 * The typed engine's element-wise passes in C (src/nn/typed/native-kernels.ts wraps them): bias add +
 * activation, the fused hidden-layer backward (dropout mask, activation derivative, bias gradient,
 * StepTrace activation rows), Adam and SGD over the flat parameter vector, and the |W| trace rows.
 * Each computes exactly the double expressions of the JS loops (src/nn/typed/step-kernels.ts,
 * optimizers.ts), rounding to float32 at the same points, so parameters, gradients and per-unit
 * statistics are bit-identical to the JS path. Deliberate deviation: sums over many elements
 * (Σg², ΣΔ², the per-row Σ|W|) are vectorised with partial sums, so gradNorm/updateNorm and trace
 * row 7 can differ from JS in the last bits. Built with -ffp-contract=off (no FMA contraction) and
 * cloned per ISA (AVX-512, AVX2, baseline) so one build runs anywhere.
 */
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-macros.h"
#include "napi-helpers.h"
#include "step-kernels.h"

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_LEAKY = 2, ACT_TANH = 3, ACT_SIGMOID = 4, ACT_ELU = 5 };
static const double LEAKY_SLOPE = 0.01; /* src/nn/activations.ts LEAKY_RELU_SLOPE */

/* ---- kernels ---- */

CLONES static void bias_activate(float *z, const float *bias, float *a, int batch, int n, int kind) {
  for (int b = 0; b < batch; b++) {
    float *zr = z + (size_t)b * n;
    float *ar = a + (size_t)b * n;
    if (kind == ACT_RELU) {
#pragma omp simd
      for (int i = 0; i < n; i++) {
        float v = zr[i] + bias[i];
        zr[i] = v;
        ar[i] = v > 0 ? v : 0.0f;
      }
    } else if (kind == ACT_LEAKY) {
#pragma omp simd
      for (int i = 0; i < n; i++) {
        float v = zr[i] + bias[i];
        zr[i] = v;
        float scaled = (float)(LEAKY_SLOPE * (double)v);
        ar[i] = v < 0 ? scaled : v;
      }
    } else {
#pragma omp simd
      for (int i = 0; i < n; i++) {
        float v = zr[i] + bias[i];
        zr[i] = v;
        ar[i] = v;
      }
    }
  }
}

INLINE float derivative(int kind, float y, float a, float da) {
  switch (kind) {
    case ACT_RELU: return a > 0 ? da : 0.0f;
    case ACT_LEAKY: {
      float scaled = (float)(LEAKY_SLOPE * (double)da); /* both sides computed: a select vectorises */
      return y > 0 ? da : scaled;
    }
    case ACT_TANH: return (float)((double)da * (1.0 - (double)a * (double)a));
    case ACT_SIGMOID: return (float)((double)da * (double)a * (1.0 - (double)a));
    case ACT_ELU: {
      double slope = (double)a + 1.0;
      return (float)((double)da * (a < 0 ? slope : 1.0));
    }
    default: return da;
  }
}

/*
 * Loop bodies are always-inlined with compile-time flags and dispatched below: GCC vectorises a
 * loop with run-time null checks or optional terms far worse (measured 4x on the Adam loop).
 * stats_mode: 0 none, 1 with r = 0, 2 with a reference vector.
 */
INLINE void backward_rows(int kind, bool masked, int stats_mode, int batch, int n, const float *y, const float *a,
                          float *da, float *dz, const float *mask, float *dbias, double *s, const float *ref) {
  const double scale = (double)batch;
  double *restrict s0 = s, *restrict s1 = s + n, *restrict s2 = s + 2 * (size_t)n, *restrict s3 = s + 3 * (size_t)n;
  double *restrict s4 = s + 4 * (size_t)n, *restrict s5 = s + 5 * (size_t)n, *restrict s6 = s + 6 * (size_t)n;
  for (int b = 0; b < batch; b++) {
    const size_t r = (size_t)b * n;
    const float *restrict yr = y + r;
    const float *restrict ar = a + r;
    float *restrict dar = da + r;
    float *restrict dzr = dz + r;
    const float *restrict mr = masked ? mask + r : NULL;
#pragma omp simd
    for (int i = 0; i < n; i++) {
      float g = dar[i];
      if (masked) {
        g = g * mr[i];
        dar[i] = g;
      }
      float d = derivative(kind, yr[i], ar[i], g);
      dzr[i] = d;
      dbias[i] += d;
      if (stats_mode != 0) {
        double gi = (double)g * scale;
        double ai = ar[i];
        double diff = stats_mode == 2 ? ai - (double)ref[i] : ai;
        /*
         * With r = 0 the JS skips samples with a = 0 after |g|: every other term is then ±0, which
         * leaves a sum unchanged, except g·a when g is infinite or NaN, hence the one select.
         */
        double attribution = stats_mode == 1 && ai == 0 ? 0.0 : gi * diff;
        s3[i] += fabs(gi);
        s0[i] += fabs(ai);
        s1[i] += ai;
        s2[i] += ai > 0 ? 1.0 : 0.0;
        s4[i] += fabs(attribution);
        s5[i] += attribution;
        s6[i] += fabs(diff);
      }
    }
  }
}

#define BACKWARD_MODES(KIND)                                                                       \
  do {                                                                                             \
    if (mask != NULL) {                                                                            \
      if (mode == 0) backward_rows(KIND, true, 0, batch, n, y, a, da, dz, mask, dbias, s, ref);    \
      else if (mode == 1) backward_rows(KIND, true, 1, batch, n, y, a, da, dz, mask, dbias, s, ref); \
      else backward_rows(KIND, true, 2, batch, n, y, a, da, dz, mask, dbias, s, ref);              \
    } else {                                                                                       \
      if (mode == 0) backward_rows(KIND, false, 0, batch, n, y, a, da, dz, mask, dbias, s, ref);   \
      else if (mode == 1) backward_rows(KIND, false, 1, batch, n, y, a, da, dz, mask, dbias, s, ref); \
      else backward_rows(KIND, false, 2, batch, n, y, a, da, dz, mask, dbias, s, ref);             \
    }                                                                                              \
  } while (0)

CLONES static void backward_hidden(int kind, const float *y, const float *a, float *da, float *dz, const float *mask,
                                   float *dbias, int batch, int n, float *stats, const float *ref, double *s) {
  memset(dbias, 0, sizeof(float) * (size_t)n);
  int mode = stats == NULL ? 0 : ref == NULL ? 1 : 2;
  if (mode != 0) memset(s, 0, sizeof(double) * 7 * (size_t)n);
  switch (kind) {
    case ACT_RELU: BACKWARD_MODES(ACT_RELU); break;
    case ACT_LEAKY: BACKWARD_MODES(ACT_LEAKY); break;
    case ACT_TANH: BACKWARD_MODES(ACT_TANH); break;
    case ACT_SIGMOID: BACKWARD_MODES(ACT_SIGMOID); break;
    case ACT_ELU: BACKWARD_MODES(ACT_ELU); break;
    default: BACKWARD_MODES(ACT_LINEAR); break;
  }
  if (mode != 0) {
    double inv = 1.0 / batch;
    size_t count = 7 * (size_t)n;
#pragma omp simd
    for (size_t k = 0; k < count; k++) stats[k] = (float)(s[k] * inv);
  }
}

/*
 * Adam, scalars [beta1, beta2, epsilon, learningRate, coupled, decoupled, c1, c2, count]
 * (optimizers.ts adamLoop / adamLoopPerElement, optimizer-loops.ts adamLoopRows). The bias
 * corrections, by `mode`: ONE_CORRECTION, one c1, c2 for every entry; PER_ELEMENT, c1[t], c2[t] with
 * t = count − resetAt[k] capped at `last`; PER_ROW, max(r1, col1[k − from]) and max(r2, col2[k − from])
 * for one row segment of a block (unit-reset-clocks.ts: contiguous loads where PER_ELEMENT gathers).
 */
enum { ONE_CORRECTION, PER_ELEMENT, PER_ROW };

typedef struct {
  const int32_t *reset_at;
  const double *c1, *c2;
  int last;
  double r1, r2;
  const double *col1, *col2;
} corrections;

INLINE void adam_body(bool coupled_on, bool decoupled_on, int mode, int from, int to, const float *g, float *th,
                      float *m, float *v, corrections cr, const double *sc, double *acc) {
  const double b1 = sc[0], b2 = sc[1], eps = sc[2], lr = sc[3], coupled = sc[4], decoupled = sc[5];
  const double step = sc[3] * sc[6], c2u = sc[7];
  const int count = (int)sc[8];
  const double a1 = 1 - b1, a2 = 1 - b2;
  double gs = 0, ds = 0;
#pragma omp simd reduction(+ : gs, ds)
  for (int k = from; k < to; k++) {
    double gk = g[k];
    gs += gk * gk;
    double gg = coupled_on ? gk + (double)th[k] * coupled : gk;
    double mk = (double)m[k] * b1 + gg * a1;
    m[k] = (float)mk;
    double vk = (double)v[k] * b2 + gg * gg * a2;
    v[k] = (float)vk;
    double d;
    if (mode == PER_ELEMENT) {
      int t = count - cr.reset_at[k];
      int index = t < cr.last ? t : cr.last;
      d = (mk * cr.c1[index] * lr) / (sqrt(vk * cr.c2[index]) + eps);
    } else if (mode == PER_ROW) {
      double c1 = cr.col1[k - from] > cr.r1 ? cr.col1[k - from] : cr.r1;
      double c2 = cr.col2[k - from] > cr.r2 ? cr.col2[k - from] : cr.r2;
      d = (mk * c1 * lr) / (sqrt(vk * c2) + eps);
    } else {
      d = (mk * step) / (sqrt(vk * c2u) + eps);
    }
    if (decoupled_on) d += (double)th[k] * decoupled;
    float delta = (float)d;
    ds += (double)delta * (double)delta;
    th[k] = th[k] - delta;
  }
  acc[0] += gs;
  acc[1] += ds;
}

/* adam_body with the weight-decay switches (sc[4], sc[5]) and `mode` as compile-time constants. */
#define ADAM_CASE(MODE, FROM, TO, CR)                                                      \
  do {                                                                                     \
    bool c = sc[4] > 0, d = sc[5] > 0;                                                     \
    if (!c && !d) adam_body(false, false, MODE, FROM, TO, g, th, m, v, CR, sc, acc);       \
    else if (c && !d) adam_body(true, false, MODE, FROM, TO, g, th, m, v, CR, sc, acc);    \
    else if (!c) adam_body(false, true, MODE, FROM, TO, g, th, m, v, CR, sc, acc);         \
    else adam_body(true, true, MODE, FROM, TO, g, th, m, v, CR, sc, acc);                  \
  } while (0)

CLONES static void adam_step(int from, int to, const float *g, float *th, float *m, float *v, const int32_t *reset_at,
                             const double *c1, const double *c2, int last, const double *sc, double *acc) {
  corrections cr = {reset_at, c1, c2, last, 0, 0, NULL, NULL};
  if (reset_at != NULL) ADAM_CASE(PER_ELEMENT, from, to, cr);
  else ADAM_CASE(ONE_CORRECTION, from, to, cr);
}

/* Adam over [from, to) of a row-major block at `offset`, `cols` wide, one row segment at a time (PER_ROW). */
CLONES static void adam_rows(int from, int to, int offset, int cols, const float *g, float *th, float *m, float *v,
                             const double *row1, const double *row2, const double *col1, const double *col2,
                             const double *sc, double *acc) {
  int r = (from - offset) / cols;
  int column = (from - offset) - r * cols;
  for (int k = from; k < to; r++, column = 0) {
    int end = offset + (r + 1) * cols;
    if (end > to) end = to;
    corrections cr = {NULL, NULL, NULL, 0, row1[r], row2[r], col1 + column, col2 + column};
    ADAM_CASE(PER_ROW, k, end, cr);
    k = end;
  }
}

/* SGD, scalars [momentum, weightDecay, learningRate] (optimizers.ts sgdLoop). */
INLINE void sgd_body(bool decay_on, bool momentum_on, int from, int to, const float *g, float *th, float *buf,
                     const double *sc, double *acc) {
  const double momentum = sc[0], wd = sc[1], lr = sc[2];
  double gs = 0, ds = 0;
#pragma omp simd reduction(+ : gs, ds)
  for (int k = from; k < to; k++) {
    double gk = g[k];
    gs += gk * gk;
    double d = decay_on ? gk + (double)th[k] * wd : gk;
    if (momentum_on) {
      d = (double)buf[k] * momentum + d;
      buf[k] = (float)d;
    }
    float delta = (float)(d * lr);
    ds += (double)delta * (double)delta;
    th[k] = th[k] - delta;
  }
  acc[0] += gs;
  acc[1] += ds;
}

CLONES static void sgd_step(int from, int to, const float *g, float *th, float *buf, const double *sc, double *acc) {
  bool decay = sc[1] > 0;
  if (buf == NULL) {
    if (decay) sgd_body(true, false, from, to, g, th, buf, sc, acc);
    else sgd_body(false, false, from, to, g, th, buf, sc, acc);
  } else {
    if (decay) sgd_body(true, true, from, to, g, th, buf, sc, acc);
    else sgd_body(false, true, from, to, g, th, buf, sc, acc);
  }
}

/*
 * Trace rows from a kernel [fanIn x fanOut]: incoming[i] = mean_j |W[j,i]| (column sums in j order,
 * float64, as the JS), outgoing[j] = mean_i |W[j,i]| (row sums, vectorised). Either may be NULL.
 */
INLINE void weight_rows_body(bool in_on, bool out_on, const float *w, int fan_in, int fan_out, double *restrict columns,
                             float *outgoing) {
  for (int j = 0; j < fan_in; j++) {
    const float *restrict row = w + (size_t)j * fan_out;
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < fan_out; i++) {
      double v = fabs((double)row[i]);
      if (in_on) columns[i] += v;
      if (out_on) s += v;
    }
    if (out_on) outgoing[j] = (float)(s / fan_out);
  }
}

CLONES static void weight_rows(const float *w, int fan_in, int fan_out, double *columns, float *incoming, float *outgoing) {
  if (incoming != NULL) memset(columns, 0, sizeof(double) * (size_t)fan_out);
  /* One pass over the kernel for both rows. */
  if (incoming != NULL && outgoing != NULL) weight_rows_body(true, true, w, fan_in, fan_out, columns, outgoing);
  else if (incoming != NULL) weight_rows_body(true, false, w, fan_in, fan_out, columns, outgoing);
  else if (outgoing != NULL) weight_rows_body(false, true, w, fan_in, fan_out, columns, outgoing);
  if (incoming != NULL) {
    for (int i = 0; i < fan_out; i++) incoming[i] = (float)(columns[i] / fan_in);
  }
}

/* ---- N-API glue ---- */

#define FAIL(message)                                   \
  do {                                                  \
    napi_throw_range_error(env, NULL, "plasticd_blas: " message); \
    return NULL;                                        \
  } while (0)

/* A typed array of `type` with at least `need` elements, or NULL for null/undefined when `optional`. */
static bool get_array(napi_env env, napi_value value, napi_typedarray_type type, size_t need, bool optional, void **out) {
  napi_valuetype kind;
  if (napi_typeof(env, value, &kind) != napi_ok) return false;
  if (kind == napi_null || kind == napi_undefined) {
    *out = NULL;
    return optional;
  }
  size_t length;
  void *data;
  if (!typed_array(env, value, type, &data, &length) || length < need) return false;
  *out = data;
  return true;
}

static bool get_ints(napi_env env, napi_value *argv, int count, int32_t *out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return false;
  return true;
}

#define F32 napi_float32_array
#define F64 napi_float64_array

/* biasActivate(kind, batch, n, z, bias, a) */
static napi_value js_bias_activate(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[3];
  if (argc != 6 || !get_ints(env, argv, 3, ints)) FAIL("biasActivate(kind, batch, n, z, bias, a) expects 6 arguments");
  int kind = ints[0], batch = ints[1], n = ints[2];
  if (batch < 0 || n < 0) FAIL("biasActivate: negative size");
  size_t count = (size_t)batch * n;
  void *z, *bias, *a;
  if (!get_array(env, argv[3], F32, count, false, &z) || !get_array(env, argv[4], F32, n, false, &bias) ||
      !get_array(env, argv[5], F32, count, false, &a))
    FAIL("biasActivate: operands must be Float32Arrays of at least batch*n (bias: n) elements");
  bias_activate(z, bias, a, batch, n, kind);
  return NULL;
}

/* backwardHidden(kind, batch, n, y, a, da, dz, mask?, dBias?, stats?, reference?, scratch) */
static napi_value js_backward_hidden(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[3];
  if (argc != 12 || !get_ints(env, argv, 3, ints)) FAIL("backwardHidden expects 12 arguments");
  int kind = ints[0], batch = ints[1], n = ints[2];
  if (batch < 1 || n < 0) FAIL("backwardHidden: bad sizes");
  size_t count = (size_t)batch * n;
  void *y, *a, *da, *dz, *mask, *dbias, *stats, *ref, *scratch;
  if (!get_array(env, argv[3], F32, count, false, &y) || !get_array(env, argv[4], F32, count, false, &a) ||
      !get_array(env, argv[5], F32, count, false, &da) || !get_array(env, argv[6], F32, count, false, &dz) ||
      !get_array(env, argv[7], F32, count, true, &mask) || !get_array(env, argv[8], F32, n, true, &dbias) ||
      !get_array(env, argv[9], F32, 7 * (size_t)n, true, &stats) || !get_array(env, argv[10], F32, n, true, &ref) ||
      !get_array(env, argv[11], F64, 7 * (size_t)n, false, &scratch))
    FAIL("backwardHidden: operands have the wrong type or length");
  float *own = NULL;
  if (dbias == NULL) {
    /* No parameter gradients wanted: the bias sums go to a throw-away buffer. */
    own = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (own == NULL) FAIL("backwardHidden: out of memory");
    dbias = own;
  }
  backward_hidden(kind, y, a, da, dz, mask, dbias, batch, n, stats, ref, scratch);
  free(own);
  return NULL;
}

/* adam(from, to, gradient, parameters, m, v, scalars, acc, resetAt?, c1?, c2?) */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[2];
  if (argc != 11 || !get_ints(env, argv, 2, ints)) FAIL("adam expects 11 arguments");
  int from = ints[0], to = ints[1];
  if (from < 0 || to < from) FAIL("adam: bad range");
  void *g, *th, *m, *v, *sc, *acc, *reset_at, *c1, *c2;
  if (!get_array(env, argv[2], F32, to, false, &g) || !get_array(env, argv[3], F32, to, false, &th) ||
      !get_array(env, argv[4], F32, to, false, &m) || !get_array(env, argv[5], F32, to, false, &v) ||
      !get_array(env, argv[6], F64, 9, false, &sc) || !get_array(env, argv[7], F64, 2, false, &acc) ||
      !get_array(env, argv[8], napi_int32_array, to, true, &reset_at) || !get_array(env, argv[9], F64, 1, true, &c1) ||
      !get_array(env, argv[10], F64, 1, true, &c2))
    FAIL("adam: operands have the wrong type or length");
  if (reset_at == NULL) {
    adam_step(from, to, g, th, m, v, NULL, NULL, NULL, 0, sc, acc);
    return NULL;
  }
  napi_typedarray_type type;
  size_t l1, l2;
  void *data;
  napi_value buffer;
  size_t offset;
  NAPI_TRY(napi_get_typedarray_info(env, argv[9], &type, &l1, &data, &buffer, &offset));
  NAPI_TRY(napi_get_typedarray_info(env, argv[10], &type, &l2, &data, &buffer, &offset));
  if (c1 == NULL || c2 == NULL || l1 != l2) FAIL("adam: per-element corrections need c1 and c2 of equal length");
  adam_step(from, to, g, th, m, v, reset_at, c1, c2, (int)l1 - 1, sc, acc);
  return NULL;
}

/* adamRows(from, to, offset, cols, gradient, parameters, m, v, rowC1, rowC2, colC1, colC2, scalars, acc) */
static napi_value js_adam_rows(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[4];
  if (argc != 14 || !get_ints(env, argv, 4, ints)) FAIL("adamRows expects 14 arguments");
  int from = ints[0], to = ints[1], offset = ints[2], cols = ints[3];
  if (offset < 0 || cols < 1 || from < offset || to < from) FAIL("adamRows: bad range");
  size_t rows = to > from ? (size_t)(to - 1 - offset) / (size_t)cols + 1 : 0;
  void *g, *th, *m, *v, *r1, *r2, *c1, *c2, *sc, *acc;
  if (!get_array(env, argv[4], F32, to, false, &g) || !get_array(env, argv[5], F32, to, false, &th) ||
      !get_array(env, argv[6], F32, to, false, &m) || !get_array(env, argv[7], F32, to, false, &v) ||
      !get_array(env, argv[8], F64, rows, false, &r1) || !get_array(env, argv[9], F64, rows, false, &r2) ||
      !get_array(env, argv[10], F64, cols, false, &c1) || !get_array(env, argv[11], F64, cols, false, &c2) ||
      !get_array(env, argv[12], F64, 9, false, &sc) || !get_array(env, argv[13], F64, 2, false, &acc))
    FAIL("adamRows: operands have the wrong type or length");
  adam_rows(from, to, offset, cols, g, th, m, v, r1, r2, c1, c2, sc, acc);
  return NULL;
}

/* sgd(from, to, gradient, parameters, momentumBuffer?, scalars, acc) */
static napi_value js_sgd(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[2];
  if (argc != 7 || !get_ints(env, argv, 2, ints)) FAIL("sgd expects 7 arguments");
  int from = ints[0], to = ints[1];
  if (from < 0 || to < from) FAIL("sgd: bad range");
  void *g, *th, *buf, *sc, *acc;
  if (!get_array(env, argv[2], F32, to, false, &g) || !get_array(env, argv[3], F32, to, false, &th) ||
      !get_array(env, argv[4], F32, to, true, &buf) || !get_array(env, argv[5], F64, 3, false, &sc) ||
      !get_array(env, argv[6], F64, 2, false, &acc))
    FAIL("sgd: operands have the wrong type or length");
  sgd_step(from, to, g, th, buf, sc, acc);
  return NULL;
}

/* weightRows(fanIn, fanOut, kernel, columns, incoming?, outgoing?) */
static napi_value js_weight_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t ints[2];
  if (argc != 6 || !get_ints(env, argv, 2, ints)) FAIL("weightRows expects 6 arguments");
  int fan_in = ints[0], fan_out = ints[1];
  if (fan_in < 1 || fan_out < 1) FAIL("weightRows: bad sizes");
  void *w, *columns, *incoming, *outgoing;
  if (!get_array(env, argv[2], F32, (size_t)fan_in * fan_out, false, &w) ||
      !get_array(env, argv[3], F64, fan_out, false, &columns) || !get_array(env, argv[4], F32, fan_out, true, &incoming) ||
      !get_array(env, argv[5], F32, fan_in, true, &outgoing))
    FAIL("weightRows: operands have the wrong type or length");
  weight_rows(w, fan_in, fan_out, columns, incoming, outgoing);
  return NULL;
}

bool register_step_kernels(napi_env env, napi_value exports) {
  struct {
    const char *name;
    napi_callback fn;
  } table[] = {{"biasActivate", js_bias_activate},
               {"backwardHidden", js_backward_hidden},
               {"adam", js_adam},
               {"adamRows", js_adam_rows},
               {"sgd", js_sgd},
               {"weightRows", js_weight_rows}};
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    napi_value fn;
    if (napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].fn, NULL, &fn) != napi_ok) return false;
    if (napi_set_named_property(env, exports, table[i].name, fn) != napi_ok) return false;
  }
  return true;
}
