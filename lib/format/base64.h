#ifndef SDC_BASE64_H
#define SDC_BASE64_H
/*
 * Base64 of RFC 4648 with the standard alphabet and '=' padding, as
 * BYTE_ARRAY fields are rendered in JSON.  The caller owns both
 * buffers and sizes the destination with the _len helpers.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t
sdc_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Upper bound of the decoded size of n base64 characters. */
static inline size_t
sdc_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

/* Writes sdc_base64_encoded_len(n) characters, no NUL. */
size_t	sdc_base64_encode(char *dst, const void *src, size_t n);
/*
 * Strict decoding: length a multiple of 4, padding only at the end,
 * no whitespace, unused bits zero.  False when src is not canonical.
 */
bool	sdc_base64_decode(uint8_t *dst, size_t *dst_len, const char *src,
	    size_t n);

#endif
