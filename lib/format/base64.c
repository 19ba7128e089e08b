#include "base64.h"
#include "banned.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
sdc_base64_encode(char *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	char *d = dst;
	uint32_t v;

	for (; n >= 3; n -= 3, s += 3) {
		v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		*d++ = alphabet[v >> 18];
		*d++ = alphabet[v >> 12 & 63];
		*d++ = alphabet[v >> 6 & 63];
		*d++ = alphabet[v & 63];
	}
	if (n > 0) {
		v = (uint32_t)s[0] << 16 | (n == 2 ? (uint32_t)s[1] << 8 : 0);
		*d++ = alphabet[v >> 18];
		*d++ = alphabet[v >> 12 & 63];
		*d++ = n == 2 ? alphabet[v >> 6 & 63] : '=';
		*d++ = '=';
	}
	return d - dst;
}

static int
sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* One group of four characters; pad is how many end in '='. */
static bool
decode_quad(uint8_t *d, const char *s, int pad)
{
	uint32_t v = 0;
	int i, x;

	for (i = 0; i < 4; i++) {
		x = i < 4 - pad ? sextet(s[i]) : (s[i] == '=' ? 0 : -1);
		if (x < 0)
			return false;
		v = v << 6 | (uint32_t)x;
	}
	if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
		return false;
	d[0] = v >> 16;
	if (pad < 2)
		d[1] = v >> 8 & 0xff;
	if (pad < 1)
		d[2] = v & 0xff;
	return true;
}

bool
sdc_base64_decode(uint8_t *dst, size_t *dst_len, const char *src, size_t n)
{
	size_t i, out = 0;
	int pad = 0;

	if (n % 4 != 0)
		return false;
	if (n > 0 && src[n - 1] == '=')
		pad = src[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		int p = i + 4 == n ? pad : 0;

		if (!decode_quad(dst + out, src + i, p))
			return false;
		out += 3 - p;
	}
	*dst_len = out;
	return true;
}
