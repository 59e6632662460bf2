/* Function attributes the addon's kernel files share. */
#ifndef PLASTICD_KERNEL_MACROS_H
#define PLASTICD_KERNEL_MACROS_H

/* One build runs on any x86-64: GCC emits AVX-512, AVX2 and baseline versions and picks one at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

#endif
