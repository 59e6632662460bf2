/* The unit tracker's per-step update (tracker-kernels.c), registered on the addon's exports. */
#ifndef PLASTICD_TRACKER_KERNELS_H
#define PLASTICD_TRACKER_KERNELS_H
#include <node_api.h>
#include <stdbool.h>

bool register_tracker_kernels(napi_env env, napi_value exports);

#endif
