#ifndef SDC_SIPHASH_H
#define SDC_SIPHASH_H
#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of p[0..n) under the 128-bit key k. */
uint64_t sdc_siphash(const uint64_t k[2], const void *p, size_t n);

#endif
