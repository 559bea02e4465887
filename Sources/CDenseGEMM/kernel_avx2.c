// AVX2 + FMA instantiations of the kernel (float: 6×16 tiles, double: 6×8), compiled for
// AVX2 whatever the build's target; called only when dk_best_isa() says the CPU has it.
#if defined(__x86_64__)
#include "dense_gemm.h"
#include "kernel_isa.h"
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define ELEM float
#define VEC __m256
#define VLEN 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSET1(x) _mm256_set1_ps(x)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps(a, b)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define PANEL 32
#define MR 6
#define FN(name) dk_avx2_##name##_f32
#include "kernel_template.h"

#define ELEM double
#define VEC __m256d
#define VLEN 4
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VSET1(x) _mm256_set1_pd(x)
#define VZERO() _mm256_setzero_pd()
#define VADD(a, b) _mm256_add_pd(a, b)
#define VFMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define PANEL 16
#define MR 6
#define FN(name) dk_avx2_##name##_f64
#include "kernel_template.h"

#pragma clang attribute pop

#endif
