/*
 * trackerUpdate: one hidden layer's per-step update of the monitor's unit tracker
 * (monitoring/reset/layer-state.ts `update`, the JS twin it must match bit for bit):
 *   ages += 1; η^age ← η^age·η (flushed to 0 below 1e-20);
 *   ā ← η·ā + (1−η)·stats[meanRow];
 *   for every criterion c with a formula: score = stats[a]·stats[b] / max(stats[d], 1e-12) (b, d optional),
 *   stepScores[c] ← score, U[c] ← η·U[c] + (1−η)·score;
 *   reference ← ā / (1 − η^age) (0 at age 0) when `reference` is given.
 * Criteria without a formula (a = −1) are left to JS. Every expression is evaluated in double in the JS
 * order; the build's -ffp-contract=off keeps products and sums from fusing.
 */
#include "tracker-kernels.h"

#include <stdint.h>

#include "kernel-macros.h"
#include "napi-helpers.h"

#define NEGLIGIBLE_DECAY_POWER 1e-20
#define MIN_DIVISOR 1e-12

CLONES static void tracker_update(size_t units, double decay, const float *stats, double *restrict ages,
                                  double *restrict powers, double *restrict mean, int32_t mean_row,
                                  float *restrict reference, double *utilities, double *scores,
                                  const int32_t *formulas, size_t criteria) {
  const double rate = 1 - decay;
  for (size_t i = 0; i < units; i++) {
    ages[i] += 1;
    const double power = powers[i] * decay;
    powers[i] = power < NEGLIGIBLE_DECAY_POWER ? 0 : power;
  }
  const float *restrict mean_stats = stats + (size_t)mean_row * units;
  for (size_t i = 0; i < units; i++) mean[i] = decay * mean[i] + rate * (double)mean_stats[i];
  for (size_t c = 0; c < criteria; c++) {
    const int32_t a = formulas[3 * c], b = formulas[3 * c + 1], d = formulas[3 * c + 2];
    if (a < 0) continue;
    const float *restrict sa = stats + (size_t)a * units;
    const float *restrict sb = stats + (size_t)(b >= 0 ? b : a) * units;
    const float *restrict sd = stats + (size_t)(d >= 0 ? d : a) * units;
    double *restrict u = utilities + c * units;
    double *restrict s = scores + c * units;
    /* Three loop shapes so that each vectorises without per-element branches on b and d. */
    if (b < 0 && d < 0) {
      for (size_t i = 0; i < units; i++) {
        const double score = (double)sa[i];
        s[i] = score;
        u[i] = decay * u[i] + rate * score;
      }
    } else if (d < 0) {
      for (size_t i = 0; i < units; i++) {
        const double score = (double)sa[i] * (double)sb[i];
        s[i] = score;
        u[i] = decay * u[i] + rate * score;
      }
    } else {
      for (size_t i = 0; i < units; i++) {
        const double product = b >= 0 ? (double)sa[i] * (double)sb[i] : (double)sa[i];
        const double divisor = sd[i];
        /* Math.max(divisor, 1e-12): NaN stays NaN. */
        const double score = product / (divisor != divisor ? divisor : (divisor > MIN_DIVISOR ? divisor : MIN_DIVISOR));
        s[i] = score;
        u[i] = decay * u[i] + rate * score;
      }
    }
  }
  if (reference != NULL)
    for (size_t i = 0; i < units; i++) {
      const double correction = 1 - powers[i];
      reference[i] = correction > 0 ? (float)(mean[i] / correction) : 0.0f;
    }
}

/*
 * trackerUpdate(stats: Float32Array, n, decay, ages: Float64Array, powers: Float64Array, mean: Float64Array,
 *               meanRow, reference: Float32Array | null, utilities: Float64Array [C·n], scores: Float64Array [C·n],
 *               formulas: Int32Array [C·3: a, b, d rows, −1 = none])
 */
static napi_value js_tracker_update(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  int32_t n, mean_row;
  double decay;
  float *stats, *reference = NULL;
  double *ages, *powers, *mean, *utilities, *scores;
  int32_t *formulas;
  size_t stats_len, ages_len, powers_len, mean_len, ref_len = 0, util_len, scores_len, formulas_len;
  napi_valuetype ref_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 11 ||
      napi_get_value_int32(env, argv[1], &n) != napi_ok || napi_get_value_double(env, argv[2], &decay) != napi_ok ||
      napi_get_value_int32(env, argv[6], &mean_row) != napi_ok || napi_typeof(env, argv[7], &ref_type) != napi_ok ||
      !typed_array(env, argv[0], napi_float32_array, (void **)&stats, &stats_len) ||
      !typed_array(env, argv[3], napi_float64_array, (void **)&ages, &ages_len) ||
      !typed_array(env, argv[4], napi_float64_array, (void **)&powers, &powers_len) ||
      !typed_array(env, argv[5], napi_float64_array, (void **)&mean, &mean_len) ||
      (ref_type != napi_null && !typed_array(env, argv[7], napi_float32_array, (void **)&reference, &ref_len)) ||
      !typed_array(env, argv[8], napi_float64_array, (void **)&utilities, &util_len) ||
      !typed_array(env, argv[9], napi_float64_array, (void **)&scores, &scores_len) ||
      !typed_array(env, argv[10], napi_int32_array, (void **)&formulas, &formulas_len)) {
    napi_throw_type_error(env, NULL, "trackerUpdate: bad arguments");
    return NULL;
  }
  size_t units = (size_t)(n < 0 ? 0 : n);
  size_t criteria = formulas_len / 3;
  int32_t rows = units > 0 ? (int32_t)(stats_len / units) : 0;
  if (n < 0 || ages_len < units || powers_len < units || mean_len < units || (reference != NULL && ref_len < units) ||
      util_len < criteria * units || scores_len < criteria * units || mean_row < 0 || mean_row >= rows) {
    napi_throw_range_error(env, NULL, "trackerUpdate: array sizes do not match the unit count");
    return NULL;
  }
  for (size_t k = 0; k < 3 * criteria; k++)
    if (formulas[k] < -1 || formulas[k] >= rows) {
      napi_throw_range_error(env, NULL, "trackerUpdate: a formula names a row the stats do not have");
      return NULL;
    }
  tracker_update(units, decay, stats, ages, powers, mean, mean_row, reference, utilities, scores, formulas, criteria);
  return NULL;
}

bool register_tracker_kernels(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trackerUpdate", NAPI_AUTO_LENGTH, js_tracker_update, NULL, &fn) != napi_ok) return false;
  return napi_set_named_property(env, exports, "trackerUpdate", fn) == napi_ok;
}
