/*
 * Float64 kernels of the monitor's window metrics (monitoring/metrics/native-spectral.ts):
 *   gramProduct(x, count, length, out)        out = X Xᵀ, X row-major [count × length] (cblas_dsyrk, mirrored)
 *   symmetricEigenvalues(a, n, out) -> info   eigenvalues of the symmetric a [n × n], ascending (LAPACK dsyev,
 *                                            no vectors; reads a's lower triangle, destroys a)
 * Both resolve from the BLAS library blas-matmul.c dlopen'ed (OpenBLAS ships LAPACK), so they exist only
 * where it has them; the JS twins in gram-matrix.ts / symmetric-eigenvalues.ts are the fallback and the
 * reference (test/monitoring/metrics/native-spectral.test.ts).
 */
#include "spectral-kernels.h"

#include <dlfcn.h>

#include "napi-helpers.h"
#include <stdint.h>
#include <stdlib.h>

enum { ROW_MAJOR = 101, LOWER = 122, NO_TRANS = 111 };

typedef void (*dsyrk_fn)(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda,
                         double beta, double *c, int ldc);
/* Fortran LAPACK: every argument by reference; the trailing lengths of the two character arguments. */
typedef void (*dsyev_fn)(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                         double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

static dsyrk_fn dsyrk = NULL;
static dsyev_fn dsyev = NULL;

static int get_f64(napi_env env, napi_value value, double **data, size_t *length) {
  return typed_array(env, value, napi_float64_array, (void **)data, length);
}

static napi_value js_gram_product(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t count, length;
  double *x, *out;
  size_t x_len, out_len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4 ||
      napi_get_value_int32(env, argv[1], &count) != napi_ok || napi_get_value_int32(env, argv[2], &length) != napi_ok ||
      !get_f64(env, argv[0], &x, &x_len) || !get_f64(env, argv[3], &out, &out_len)) {
    napi_throw_type_error(env, NULL, "gramProduct(x: Float64Array, count, length, out: Float64Array)");
    return NULL;
  }
  if (count < 0 || length < 0 || (size_t)count * length > x_len || (size_t)count * count > out_len) {
    napi_throw_range_error(env, NULL, "gramProduct: operand sizes do not match the shape");
    return NULL;
  }
  if (count == 0) return NULL;
  if (length == 0) {
    for (size_t k = 0; k < (size_t)count * count; k++) out[k] = 0;
    return NULL;
  }
  dsyrk(ROW_MAJOR, LOWER, NO_TRANS, count, length, 1.0, x, length, 0.0, out, count);
  for (int32_t i = 0; i < count; i++)
    for (int32_t j = 0; j < i; j++) out[(size_t)j * count + i] = out[(size_t)i * count + j];
  return NULL;
}

static napi_value js_symmetric_eigenvalues(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t n;
  double *a, *w;
  size_t a_len, w_len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      napi_get_value_int32(env, argv[1], &n) != napi_ok || !get_f64(env, argv[0], &a, &a_len) ||
      !get_f64(env, argv[2], &w, &w_len)) {
    napi_throw_type_error(env, NULL, "symmetricEigenvalues(a: Float64Array, n, out: Float64Array)");
    return NULL;
  }
  if (n < 0 || (size_t)n * n > a_len || (size_t)n > w_len) {
    napi_throw_range_error(env, NULL, "symmetricEigenvalues: operand sizes do not match the shape");
    return NULL;
  }
  int info_code = 0;
  if (n > 0) {
    /* Row-major lower triangle = column-major upper triangle. */
    int query = -1, lda = n;
    double size = 0;
    dsyev("N", "U", &n, a, &lda, w, &size, &query, &info_code, 1, 1);
    int lwork = info_code == 0 && size >= 1 ? (int)size : 3 * n;
    double *work = malloc(sizeof(double) * (size_t)lwork);
    if (work == NULL) {
      napi_throw_error(env, NULL, "symmetricEigenvalues: out of memory");
      return NULL;
    }
    dsyev("N", "U", &n, a, &lda, w, work, &lwork, &info_code, 1, 1);
    free(work);
  }
  napi_value result;
  napi_create_int32(env, info_code, &result);
  return result;
}

bool register_spectral_kernels(napi_env env, napi_value exports, void *blas) {
  if (blas == NULL) return true;
  dsyrk = (dsyrk_fn)dlsym(blas, "cblas_dsyrk");
  dsyev = (dsyev_fn)dlsym(blas, "dsyev_");
  if (dsyrk == NULL || dsyev == NULL) return true; /* a BLAS without LAPACK: the JS routines serve */
  napi_value fn;
  if (napi_create_function(env, "gramProduct", NAPI_AUTO_LENGTH, js_gram_product, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "gramProduct", fn) != napi_ok)
    return false;
  if (napi_create_function(env, "symmetricEigenvalues", NAPI_AUTO_LENGTH, js_symmetric_eigenvalues, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "symmetricEigenvalues", fn) != napi_ok)
    return false;
  return true;
}
