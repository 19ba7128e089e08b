/* Compressed bodies: gzip and zlib inflated, bombs and junk refused. */
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "inflate.h"
#include "tap.h"

/* p deflated as gzip (window bits 31) or zlib (15) into out. */
static size_t
squeeze(const void *p, size_t n, int bits, unsigned char *out, size_t cap)
{
	z_stream z = { .next_in = (Bytef *)(uintptr_t)p, .avail_in = (uInt)n,
		.next_out = out, .avail_out = (uInt)cap };

	deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return cap - z.avail_out;
}

int
main(void)
{
	static unsigned char zeros[1 << 20], packed[1 << 16];
	const char *text = "{\"sensor\":\"s1\",\"rssi\":-61}\n";
	struct sdc_buf out;
	size_t n;

	sdc_buf_init(&out, 4 << 20);
	n = squeeze(text, strlen(text), 31, packed, sizeof packed);
	ok(sdc_inflate(&out, packed, n, 1000) == NULL &&
	    out.len == strlen(text) && memcmp(out.data, text, out.len) == 0,
	    "a gzip body inflates");
	out.len = 0;
	n = squeeze(text, strlen(text), 15, packed, sizeof packed);
	ok(sdc_inflate(&out, packed, n, 1000) == NULL &&
	    out.len == strlen(text), "and a zlib one");
	out.len = 0;
	is_str(sdc_inflate(&out, packed, n - 3, 1000), "truncated",
	    "a cut one is truncated");
	ok(out.len == 0, "leaving nothing behind");
	is_str(sdc_inflate(&out, "plain text", 10, 1000),
	    "not gzip data: incorrect header check", "plain bytes are refused");
	n = squeeze(zeros, sizeof zeros, 31, packed, sizeof packed);
	ok(n < 2000, "a megabyte of zeros packs into %zu bytes", n);
	is_str(sdc_inflate(&out, packed, n, 100000), "inflates past 100000 "
	    "bytes", "it is stopped at the limit, not inflated");
	ok(sdc_inflate(&out, packed, n, sizeof zeros) == NULL &&
	    out.len == sizeof zeros, "and inflates when the limit allows");
	sdc_buf_release(&out);
	return tap_done();
}
