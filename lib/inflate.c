/* gzip and zlib bodies inflated within a bound. */
#include <stdio.h>
#include <zlib.h>

#include "inflate.h"
#include "banned.h"

#define STEP	(64u << 10)

const char *
sdc_inflate(struct sdc_buf *out, const void *p, size_t n, size_t max)
{
	static char why[96];
	z_stream z = { .next_in = (Bytef *)(uintptr_t)p };
	size_t start = out->len;
	int rc = Z_OK;

	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return "out of memory";
	while (rc == Z_OK) {
		size_t room = STEP;

		if (n > 0 && z.avail_in == 0) {
			z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
			n -= z.avail_in;
		}
		if (out->len - start + room > max + 1)
			room = max + 1 - (out->len - start);
		if (room == 0)
			break;
		if (!sdc_buf_reserve(out, room)) {
			rc = Z_MEM_ERROR;
			break;
		}
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)room;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		if (rc == Z_BUF_ERROR && z.avail_in == 0 && n == 0)
			break;
		if (rc == Z_BUF_ERROR)
			rc = Z_OK;
	}
	inflateEnd(&z);
	if (out->len - start > max) {
		out->len = start;
		snprintf(why, sizeof why, "inflates past %zu bytes", max);
		return why;
	}
	if (rc == Z_STREAM_END)
		return NULL;
	out->len = start;
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return "truncated";
	if (rc == Z_MEM_ERROR)
		return "too large for the buffer";
	snprintf(why, sizeof why, "not gzip data: %s", z.msg ? z.msg :
	    "bad data");
	return why;
}
