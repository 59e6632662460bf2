/* The N-API helpers every kernel file of the addon shares. */
#ifndef PLASTICD_NAPI_HELPERS_H
#define PLASTICD_NAPI_HELPERS_H
#include <node_api.h>
#include <stddef.h>

/* 1 with the data pointer and element count when `value` is a typed array of type `want`, else 0. */
static inline int typed_array(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) == napi_ok && type == want;
}

/* Returns NULL from the calling napi callback, with a JS error, when an N-API call fails. */
#define NAPI_TRY(call)                                                             \
  do {                                                                             \
    if ((call) != napi_ok) {                                                       \
      napi_throw_error(env, NULL, "plasticd_blas: N-API call failed: " #call);    \
      return NULL;                                                                 \
    }                                                                              \
  } while (0)

#endif
