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

__attribute__((target("sse4.2"))) static uint32_t
crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c = crc;

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		n -= 8;
	}
	crc = (uint32_t)c;
	while (n-- > 0)
		crc = _mm_crc32_u8(crc, *p++);
	return crc;
}

static int
has_sse42(void)
{
	static int known = -1;

	if (known < 0)
		known = __builtin_cpu_supports("sse4.2") ? 1 : 0;
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
