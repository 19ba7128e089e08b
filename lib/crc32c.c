/*
 * CRC-32C (Castagnoli), the checksum of every frame.  The SSE4.2
 * instruction makes verification nearly free where the processor has
 * it; elsewhere a slice-by-8 table does the work.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"
#include "banned.h"

#define CRC32C_POLY 0x82f63b78u

static uint32_t table[8][256];
static int have_table;

static void
make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & -(c & 1));
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
			    table[0][table[t - 1][i] & 0xff];
	have_table = 1;
}

static uint32_t
crc_soft(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!have_table)
		make_table();
	while (n >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		w ^= crc;	/* little-endian hosts */
		crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^
		    table[5][(w >> 16) & 0xff] ^ table[4][(w >> 24) & 0xff] ^
		    table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
		    table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#include <wmmintrin.h>

/*
 * The crc32 instruction takes three cycles to give its result and can
 * start one every cycle: one sequence of it runs at a third of the
 * speed the processor has.  So longer buffers are cut in three lanes
 * whose checksums are computed side by side, then combined:
 * crc(A B C) = crc(A) * x^(8|BC|) + crc(B) * x^(8|C|) + crc(C), mod P,
 * the products by carry-less multiplication.
 */
#define LANE_MAX	256	/* bytes per lane */
#define LANES_FROM	96	/* shorter buffers: one lane */

/* x^(64j - 33) mod P for a shift by 8j bytes (j >= 1), reflected. */
static uint32_t shift_by[2 * LANE_MAX / 8 + 1];

static void
make_shifts(void)
{
	uint32_t v = 0x80000000u;	/* x^0 */

	for (unsigned n = 0, j = 1; j < sizeof shift_by / sizeof *shift_by;
	    n++) {
		if (n == 64 * j - 33)
			shift_by[j++] = v;
		v = (v >> 1) ^ (CRC32C_POLY & -(v & 1));
	}
}

__attribute__((target("sse4.2,pclmul"))) static inline uint32_t
shift(uint64_t crc, uint32_t k)
{
	__m128i p = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)crc),
	    _mm_cvtsi32_si128((int)k), 0);

	return (uint32_t)_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(p));
}

static inline uint64_t
load(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

__attribute__((target("sse4.2,pclmul"))) static uint32_t
crc_lanes(uint32_t crc, const uint8_t **pp, size_t *np)
{
	const uint8_t *p = *pp;
	size_t n = *np;

	while (n >= LANES_FROM) {
		size_t lane = n / 24 * 8 < LANE_MAX ? n / 24 * 8 : LANE_MAX;
		uint64_t c0 = crc, c1 = 0, c2 = 0;

		for (size_t i = 0; i < lane; i += 8) {
			c0 = _mm_crc32_u64(c0, load(p + i));
			c1 = _mm_crc32_u64(c1, load(p + lane + i));
			c2 = _mm_crc32_u64(c2, load(p + 2 * lane + i));
		}
		crc = shift(c0, shift_by[lane / 4]) ^
		    shift(c1, shift_by[lane / 8]) ^ (uint32_t)c2;
		p += 3 * lane;
		n -= 3 * lane;
	}
	*pp = p;
	*np = n;
	return crc;
}

__attribute__((target("sse4.2,pclmul"))) static uint32_t
crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c;

	if (n >= LANES_FROM)
		crc = crc_lanes(crc, &p, &n);
	for (c = crc; n >= 8; p += 8, n -= 8)
		c = _mm_crc32_u64(c, load(p));
	crc = (uint32_t)c;
	if (n >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		crc = _mm_crc32_u32(crc, w);
		p += 4;
		n -= 4;
	}
	while (n-- > 0)
		crc = _mm_crc32_u8(crc, *p++);
	return crc;
}

static int
has_sse42(void)
{
	static int known = -1;

	if (known < 0) {
		known = __builtin_cpu_supports("sse4.2") &&
		    __builtin_cpu_supports("pclmul") ? 1 : 0;
		if (known)
			make_shifts();
	}
	return known;
}
#else
static uint32_t
crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	return crc_soft(crc, p, n);
}

static int
has_sse42(void)
{
	return 0;
}
#endif

/* crc is the value returned by a previous call, or 0 to start. */
uint32_t
sdc_crc32c(uint32_t crc, const void *p, size_t n)
{
	crc = ~crc;
	crc = has_sse42() ? crc_hw(crc, p, n) : crc_soft(crc, p, n);
	return ~crc;
}
