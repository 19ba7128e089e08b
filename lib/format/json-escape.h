#ifndef SDC_JSON_ESCAPE_H
#define SDC_JSON_ESCAPE_H
/*
 * The bodies of JSON strings.  Most bytes of most strings need no
 * escaping: they are checked and copied eight at a time, and only the
 * rest goes through the escaper.  The caller reserves the room: at most
 * six bytes out for each byte in.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

/* 0: copied as is; 1: escaped; 2: starts a multibyte sequence. */
extern const uint8_t sdc_json_esc_class[256];

/*
 * Whether none of the eight bytes of x needs the escaper: none is a
 * control character, a quote, a backslash or above 0x7f.  Such bytes
 * are also valid UTF-8 on their own.
 */
static inline bool
sdc_json_plain_word(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');

	return ((((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) |
	    ((bslash - ones) & ~bslash) | x) & highs) == 0;
}

static inline bool
sdc_json_plain_at(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return sdc_json_plain_word(x);
}

/*
 * Copy to d the bytes of p[0..n) that need no escaping, up to the first
 * one that does: how many were copied.
 */
static inline size_t
sdc_json_copy_plain(uint8_t *d, const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint32_t a, b;

	for (; i + 8 <= n && sdc_json_plain_at(p + i); i += 8)
		memcpy(d + i, p + i, 8);
	/*
	 * Fewer than 8 bytes left after plain words: check and copy them as
	 * a word that overlaps what came before, never reading past the end.
	 */
	if (i < n && n >= 8 && i + 8 > n && sdc_json_plain_at(p + n - 8)) {
		memcpy(d + n - 8, p + n - 8, 8);
		return n;
	}
	if (i == 0 && n >= 4 && n < 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		if (sdc_json_plain_word(a | (uint64_t)b << 32)) {
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
			return n;
		}
	}
	for (; i < n && sdc_json_esc_class[p[i]] == 0; i++)
		d[i] = p[i];
	return i;
}

/*
 * The same for bytes followed by at least SDC_JSON_PAD readable bytes,
 * into room for n + SDC_JSON_PAD bytes: blocks of 16 are read and
 * stored whole, so a short string costs one block.
 */
#define SDC_JSON_PAD	16

#ifdef __SSE2__
#include <emmintrin.h>

static inline size_t
sdc_json_copy_plain_padded(uint8_t *d, const uint8_t *p, size_t n)
{
	const __m128i space = _mm_set1_epi8(0x20);
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	size_t i = 0;

	for (;;) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)
		    (p + i));
		/* Signed: bytes above 0x7f count as below the space. */
		__m128i stop = _mm_or_si128(_mm_cmplt_epi8(x, space),
		    _mm_or_si128(_mm_cmpeq_epi8(x, quote),
		    _mm_cmpeq_epi8(x, bslash)));
		unsigned m = (unsigned)_mm_movemask_epi8(stop);

		_mm_storeu_si128((__m128i *)(void *)(d + i), x);
		if (n - i <= 16)
			m &= (1u << (n - i)) - 1;
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
		if (n - i <= 16)
			return n;
		i += 16;
	}
}
#else
static inline size_t
sdc_json_copy_plain_padded(uint8_t *d, const uint8_t *p, size_t n)
{
	return sdc_json_copy_plain(d, p, n);
}
#endif

/*
 * Append the escaped body of s[0..n) to b.  Bytes that are not UTF-8
 * become U+FFFD, and the result is then false.
 */
bool	sdc_json_put_escaped(struct sdc_buf *b, const char *s, size_t n);

#endif
