/* The C library's sin, cos and pow (libm-kernels.c), registered on the addon's exports. */
#ifndef PLASTICD_LIBM_KERNELS_H
#define PLASTICD_LIBM_KERNELS_H
#include <node_api.h>
#include <stdbool.h>

bool register_libm_kernels(napi_env env, napi_value exports);

#endif
