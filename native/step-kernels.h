/* The typed engine's element-wise kernels (step-kernels.c), registered on the addon's exports. */
#ifndef PLASTICD_STEP_KERNELS_H
#define PLASTICD_STEP_KERNELS_H
#include <node_api.h>
#include <stdbool.h>

bool register_step_kernels(napi_env env, napi_value exports);

#endif
