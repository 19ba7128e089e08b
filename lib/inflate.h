#ifndef SDC_INFLATE_H
#define SDC_INFLATE_H
/*
 * Bodies sent compressed (HTTP's Content-Encoding: gzip or deflate),
 * inflated with zlib into a buffer that never grows past a limit, so
 * that a small body cannot make a huge one (a zip bomb).
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Append the inflation of the n bytes at p (gzip, or zlib's format:
 * told apart by their headers) to out, at most max bytes of it.  NULL
 * when done, else why not ("inflates past 1048576 bytes", "not gzip
 * data: incorrect header check", "truncated").
 */
const char *sdc_inflate(struct sdc_buf *out, const void *p, size_t n,
	    size_t max);

#endif
