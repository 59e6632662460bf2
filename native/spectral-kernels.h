/* The window metrics' dense linear algebra (spectral-kernels.c): Gram products and symmetric eigenvalues. */
#ifndef PLASTICD_SPECTRAL_KERNELS_H
#define PLASTICD_SPECTRAL_KERNELS_H
#include <node_api.h>
#include <stdbool.h>

/* Registers gramProduct and symmetricEigenvalues when `blas` (a dlopen handle) has dsyrk and LAPACK's dsyev. */
bool register_spectral_kernels(napi_env env, napi_value exports, void *blas);

#endif
