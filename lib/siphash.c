/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash of short
 * inputs, for hash tables whose keys come from input.
 */
#include "siphash.h"
#include "banned.h"

static inline uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static inline void
sip_word(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

static uint64_t
le64(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint64_t
sdc_siphash(const uint64_t k[2], const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		k[0] ^ UINT64_C(0x736f6d6570736575),
		k[1] ^ UINT64_C(0x646f72616e646f6d),
		k[0] ^ UINT64_C(0x6c7967656e657261),
		k[1] ^ UINT64_C(0x7465646279746573),
	};
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		sip_word(v, le64(p + i, 8));
	sip_word(v, le64(p + i, n - i) | (uint64_t)(n & 0xff) << 56);
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
