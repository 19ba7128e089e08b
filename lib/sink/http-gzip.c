/* Request bodies compressed for Content-Encoding: gzip, with zlib. */
#include <stdint.h>
#include <zlib.h>

#include "http-sink.h"
#include "banned.h"

bool
sdc_http_gzip(struct sdc_buf *out, const void *p, size_t n)
{
	z_stream z = { 0 };
	uLong bound;
	bool ok;

	if (n > UINT32_MAX)
		return false;
	/* 15 window bits and 16 for the gzip wrapper instead of zlib's. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	bound = deflateBound(&z, (uLong)n) + 32;
	if (!sdc_buf_reserve(out, bound)) {
		deflateEnd(&z);
		return false;
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out->data + out->len;
	z.avail_out = (uInt)bound;
	ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
	if (ok)
		out->len += z.total_out;
	deflateEnd(&z);
	return ok;
}
