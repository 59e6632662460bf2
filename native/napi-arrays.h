/* The typed-array argument check every kernel file of the addon shares. */
#ifndef PLASTICD_NAPI_ARRAYS_H
#define PLASTICD_NAPI_ARRAYS_H
#include <node_api.h>
#include <stddef.h>

/* 1 with the data pointer and element count when `value` is a typed array of type `want`, else 0. */
static inline int typed_array(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) == napi_ok && type == want;
}

#endif
