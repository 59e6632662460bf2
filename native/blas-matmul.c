/*
 * plasticd_blas: a tiny N-API addon exposing OpenBLAS's cblas_sgemm to the tfjs cpu backend
 * (native/blas-kernels.ts registers it as the 'cpu-blas' backend's BatchMatMul/_FusedMatMul).
 * The BLAS library is dlopen'ed at load time, so building needs only a C compiler and Node's
 * headers; without a BLAS library at run time the addon loads and reports `available: false`.
 * Plain C against node_api.h (no node-addon-api, no node-gyp) to keep the build one command.
 */
#include <node_api.h>
#include <dlfcn.h>

#include "napi-helpers.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spectral-kernels.h"
#include "step-kernels.h"
#include "tracker-kernels.h"
#include "libm-kernels.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c,
                         int ldc);
typedef void (*sgemv_fn)(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                         const float *x, int incx, float beta, float *y, int incy);
typedef void (*sger_fn)(int order, int m, int n, float alpha, const float *x, int incx, const float *y,
                        int incy, float *a, int lda);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_config_fn)(void);

static sgemm_fn sgemm = NULL;
static sgemv_fn sgemv = NULL;
static sger_fn sger = NULL;
static set_threads_fn set_threads = NULL;
static get_threads_fn get_threads = NULL;
static get_config_fn get_config = NULL;
static void *blas_handle = NULL;
static char library[512] = "";
static char load_error[1024] = "";

static void load_blas(void) {
  const char *candidates[] = {getenv("PLASTICD_BLAS_LIB"), "libopenblas.so.0", "libopenblas.so",
                              "libblas.so.3", NULL};
  load_error[0] = '\0';
  for (int i = 0; i < 4; i++) {
    const char *name = candidates[i];
    if (name == NULL || name[0] == '\0') continue;
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
      size_t used = strlen(load_error);
      snprintf(load_error + used, sizeof(load_error) - used, "%s%s", used ? "; " : "", dlerror());
      continue;
    }
    sgemm_fn fn = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    if (fn == NULL) {
      dlclose(handle);
      continue;
    }
    sgemm = fn;
    blas_handle = handle;
    sgemv = (sgemv_fn)dlsym(handle, "cblas_sgemv");
    sger = (sger_fn)dlsym(handle, "cblas_sger");
    set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    get_config = (get_config_fn)dlsym(handle, "openblas_get_config");
    snprintf(library, sizeof(library), "%s", name);
    /* One thread per call: agents run in separate worker threads on few cores. */
    if (set_threads != NULL) set_threads(1);
    return;
  }
}

static int get_f32(napi_env env, napi_value value, float **data, size_t *length) {
  return typed_array(env, value, napi_float32_array, (void **)data, length);
}

/*
 * sgemm(transA, transB, batch, m, n, k, a, aStride, b, bStride, c)
 * C[i] (m x n) = op(A[i]) (m x k) * op(B[i]) (k x n), row-major, i < batch; A[i] starts at
 * i * aStride elements (0 broadcasts one matrix), likewise B; C is dense.
 */
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 11) {
    napi_throw_type_error(env, NULL, "sgemm expects 11 arguments");
    return NULL;
  }
  if (sgemm == NULL) {
    napi_throw_error(env, NULL, "plasticd_blas: no BLAS library loaded");
    return NULL;
  }
  bool trans_a, trans_b;
  int32_t batch, m, n, k, a_stride, b_stride;
  NAPI_TRY(napi_get_value_bool(env, argv[0], &trans_a));
  NAPI_TRY(napi_get_value_bool(env, argv[1], &trans_b));
  NAPI_TRY(napi_get_value_int32(env, argv[2], &batch));
  NAPI_TRY(napi_get_value_int32(env, argv[3], &m));
  NAPI_TRY(napi_get_value_int32(env, argv[4], &n));
  NAPI_TRY(napi_get_value_int32(env, argv[5], &k));
  NAPI_TRY(napi_get_value_int32(env, argv[7], &a_stride));
  NAPI_TRY(napi_get_value_int32(env, argv[9], &b_stride));
  float *a, *b, *c;
  size_t a_len, b_len, c_len;
  if (!get_f32(env, argv[6], &a, &a_len) || !get_f32(env, argv[8], &b, &b_len) ||
      !get_f32(env, argv[10], &c, &c_len)) {
    napi_throw_type_error(env, NULL, "sgemm expects Float32Array operands");
    return NULL;
  }
  if (batch < 1 || m < 0 || n < 0 || k < 0 || a_stride < 0 || b_stride < 0 ||
      (size_t)(batch - 1) * a_stride + (size_t)m * k > a_len ||
      (size_t)(batch - 1) * b_stride + (size_t)k * n > b_len ||
      (size_t)batch * m * n > c_len) {
    napi_throw_range_error(env, NULL, "sgemm operand sizes do not match the shapes");
    return NULL;
  }
  int lda = trans_a ? m : k;
  int ldb = trans_b ? k : n;
  for (int32_t i = 0; i < batch; i++) {
    float *out = c + (size_t)i * m * n;
    if (k == 0) {
      memset(out, 0, sizeof(float) * (size_t)m * n);
      continue;
    }
    if (m == 0 || n == 0) continue;
    const float *ai = a + (size_t)i * a_stride;
    const float *bi = b + (size_t)i * b_stride;
    /* Vector shapes (batch-1 steps) through gemv/ger: OpenBLAS's sgemm has no fast path for them. */
    if (sgemv != NULL && m == 1) {
      /* c = op(B)ᵀ·a: B stored [k x n] (or [n x k] when transposed). */
      if (trans_b) sgemv(ROW_MAJOR, NO_TRANS, n, k, 1.0f, bi, k, ai, 1, 0.0f, out, 1);
      else sgemv(ROW_MAJOR, TRANS, k, n, 1.0f, bi, n, ai, 1, 0.0f, out, 1);
      continue;
    }
    if (sgemv != NULL && n == 1) {
      /* c = op(A)·b: A stored [m x k] (or [k x m] when transposed). */
      if (trans_a) sgemv(ROW_MAJOR, TRANS, k, m, 1.0f, ai, m, bi, 1, 0.0f, out, 1);
      else sgemv(ROW_MAJOR, NO_TRANS, m, k, 1.0f, ai, k, bi, 1, 0.0f, out, 1);
      continue;
    }
    if (sger != NULL && k == 1) {
      /* Outer product: both operands are vectors whatever the transpose flags say. */
      memset(out, 0, sizeof(float) * (size_t)m * n);
      sger(ROW_MAJOR, m, n, 1.0f, ai, 1, bi, 1, out, n);
      continue;
    }
    sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k, 1.0f,
          a + (size_t)i * a_stride, lda, b + (size_t)i * b_stride, ldb, 0.0f, out, n);
  }
  return NULL;
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads;
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  NAPI_TRY(napi_get_value_int32(env, argv[0], &threads));
  if (set_threads != NULL && threads > 0) set_threads(threads);
  return NULL;
}

static napi_value make_info(napi_env env) {
  napi_value obj, value;
  NAPI_TRY(napi_create_object(env, &obj));
  NAPI_TRY(napi_get_boolean(env, sgemm != NULL, &value));
  NAPI_TRY(napi_set_named_property(env, obj, "available", value));
  NAPI_TRY(napi_create_string_utf8(env, library, NAPI_AUTO_LENGTH, &value));
  NAPI_TRY(napi_set_named_property(env, obj, "library", value));
  NAPI_TRY(napi_create_string_utf8(env, get_config != NULL ? get_config() : "", NAPI_AUTO_LENGTH, &value));
  NAPI_TRY(napi_set_named_property(env, obj, "config", value));
  NAPI_TRY(napi_create_int32(env, get_threads != NULL ? get_threads() : 1, &value));
  NAPI_TRY(napi_set_named_property(env, obj, "threads", value));
  NAPI_TRY(napi_create_string_utf8(env, sgemm != NULL ? "" : load_error, NAPI_AUTO_LENGTH, &value));
  NAPI_TRY(napi_set_named_property(env, obj, "error", value));
  return obj;
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  return make_info(env);
}

static napi_value init(napi_env env, napi_value exports) {
  if (sgemm == NULL) load_blas();
  napi_value fn;
  NAPI_TRY(napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, js_sgemm, NULL, &fn));
  NAPI_TRY(napi_set_named_property(env, exports, "sgemm", fn));
  NAPI_TRY(napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, js_set_threads, NULL, &fn));
  NAPI_TRY(napi_set_named_property(env, exports, "setThreads", fn));
  NAPI_TRY(napi_create_function(env, "info", NAPI_AUTO_LENGTH, js_info, NULL, &fn));
  NAPI_TRY(napi_set_named_property(env, exports, "info", fn));
  if (!register_step_kernels(env, exports)) {
    napi_throw_error(env, NULL, "plasticd_blas: cannot register the step kernels");
    return NULL;
  }
  if (!register_tracker_kernels(env, exports)) {
    napi_throw_error(env, NULL, "plasticd_blas: cannot register the tracker kernels");
    return NULL;
  }
  if (!register_libm_kernels(env, exports)) {
    napi_throw_error(env, NULL, "plasticd_blas: cannot register the libm kernels");
    return NULL;
  }
  if (!register_spectral_kernels(env, exports, blas_handle)) {
    napi_throw_error(env, NULL, "plasticd_blas: cannot register the spectral kernels");
    return NULL;
  }
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
