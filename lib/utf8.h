#ifndef SDC_UTF8_H
#define SDC_UTF8_H
/* UTF-8 checks shared by the decoder and the formats. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Offset of the first byte that is not valid UTF-8, or n. */
size_t	sdc_utf8_check(const void *p, size_t n);
/* Length of the valid sequence at p (p < end), or 0. */
size_t	sdc_utf8_seq_len(const uint8_t *p, const uint8_t *end);
/* Write code point c (a Unicode scalar value) at d: the bytes written. */
size_t	sdc_utf8_encode(char *d, uint32_t c);

/* ASCII, the common case, is settled inline a word at a time. */
static inline bool
sdc_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t any = 0, w;
	uint32_t x, y;

	if (n >= 8) {
		for (size_t i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			any |= w;
		}
		memcpy(&w, s + n - 8, 8);
		any |= w;
	} else if (n >= 4) {	/* two words that overlap: every byte */
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		any = x | y;
	} else if (n > 0) {	/* s[0], s[n / 2], s[n - 1]: every byte */
		any = s[0] | s[n / 2] | s[n - 1];
	}
	return (any & UINT64_C(0x8080808080808080)) == 0 ||
	    sdc_utf8_check(p, n) == n;
}

#endif
