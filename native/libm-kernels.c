/*
 * The host C library's sin, cos, pow and powf, for the classic-control envs (src/util/libm.ts): Gymnasium
 * computes with numpy and Python's math, which call these same functions, so calling them is the
 * only way to round exactly as Gymnasium does on this machine (glibc's are not correctly rounded:
 * about 0.1% of sin/cos and pow(x, 2) results differ by one ulp from the correctly rounded value).
 * The calls go through volatile pointers so the compiler can neither fold pow(x, 2.0) into x*x nor
 * substitute builtins: the result is whatever the shared libm returns, its ifunc variant included.
 */
#include <math.h>
#include "libm-kernels.h"
#include "napi-helpers.h"

static double (*volatile libm_sin)(double) = sin;
static double (*volatile libm_cos)(double) = cos;
static double (*volatile libm_pow)(double, double) = pow;
static float (*volatile libm_powf)(float, float) = powf;

static napi_value unary(napi_env env, napi_callback_info info, double (*f)(double)) {
  size_t argc = 1;
  napi_value argv[1];
  double x;
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_double(env, argv[0], &x) != napi_ok) {
    napi_throw_type_error(env, NULL, "plasticd_blas: expected a number");
    return NULL;
  }
  napi_value out;
  NAPI_TRY(napi_create_double(env, f(x), &out));
  return out;
}

static napi_value js_sin(napi_env env, napi_callback_info info) { return unary(env, info, libm_sin); }
static napi_value js_cos(napi_env env, napi_callback_info info) { return unary(env, info, libm_cos); }

/* pow in float64, or powf on the arguments rounded to float32 (numpy's np.float32 ** y). */
static napi_value binary(napi_env env, napi_callback_info info, int single) {
  size_t argc = 2;
  napi_value argv[2];
  double x, y;
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_double(env, argv[0], &x) != napi_ok || napi_get_value_double(env, argv[1], &y) != napi_ok) {
    napi_throw_type_error(env, NULL, "plasticd_blas: expected two numbers");
    return NULL;
  }
  double result = single ? (double)libm_powf((float)x, (float)y) : libm_pow(x, y);
  napi_value out;
  NAPI_TRY(napi_create_double(env, result, &out));
  return out;
}

static napi_value js_pow(napi_env env, napi_callback_info info) { return binary(env, info, 0); }
static napi_value js_powf(napi_env env, napi_callback_info info) { return binary(env, info, 1); }

bool register_libm_kernels(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback callback; } kernels[] = {
    {"libmSin", js_sin}, {"libmCos", js_cos}, {"libmPow", js_pow}, {"libmPowf", js_powf},
  };
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, kernels[i].name, NAPI_AUTO_LENGTH, kernels[i].callback, NULL, &fn) != napi_ok) return false;
    if (napi_set_named_property(env, exports, kernels[i].name, fn) != napi_ok) return false;
  }
  return true;
}
