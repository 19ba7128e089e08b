/*
 * Compression streams into a file descriptor: each codec fills one
 * output buffer that is written out when full and at the finish, so
 * the file only ever holds whole writes of a valid stream prefix.
 * What is written is handed to the writing thread (file-writes.h),
 * which also hands it to the disk as it goes (sync_file_range), so that
 * the fsync of its publication has little left to wait for.
 */
#include <errno.h>
#include <limits.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "file-codec.h"
#include "file-writes.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define OUT_CAP		SDC_WRITES_BUFFER
#define PIECE		(64u << 10)	/* input per lz4 update */
#define SNAPPY_BLOCK	65536u		/* most a framing chunk may hold */

const char *const sdc_codec_names[] = {
	"none", "gzip", "zstd", "lz4", "snappy", NULL
};

static const char *const extensions[] = { "", ".gz", ".zst", ".lz4", ".sz" };

static const uint8_t snappy_stream_id[10] = {
	0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'
};

struct sdc_codec {
	enum sdc_codec_kind	 kind;
	struct sdc_writes	*writes;
	uint8_t			*out;
	size_t			 out_len;
	z_stream		 z;
	ZSTD_CCtx		*zs;
	LZ4F_cctx		*lz;
	uint8_t			*block;		/* snappy: the chunk filling */
	size_t			 block_len;
};

const char *
sdc_codec_extension(enum sdc_codec_kind kind)
{
	return extensions[kind];
}

/* Hand out to the writing thread: 0, or the errno of a write before. */
static int
drain(struct sdc_codec *c)
{
	c->out = sdc_writes_put(c->writes, c->out, c->out_len);
	c->out_len = 0;
	return sdc_writes_error(c->writes);
}

/* Room for n more bytes in out, writing it out if need be. */
static int
room(struct sdc_codec *c, size_t n)
{
	return OUT_CAP - c->out_len >= n ? 0 : drain(c);
}

static int
plain_write(struct sdc_codec *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = OUT_CAP - c->out_len < n ? OUT_CAP - c->out_len : n;
		int e;

		memcpy(c->out + c->out_len, p, k);
		c->out_len += k;
		p += k;
		n -= k;
		if (c->out_len == OUT_CAP && (e = drain(c)) != 0)
			return e;
	}
	return 0;
}

static int
gzip_run(struct sdc_codec *c, const uint8_t *p, size_t n, bool end)
{
	int rc = Z_OK, e;

	c->z.next_in = (Bytef *)(uintptr_t)p;
	c->z.avail_in = (uInt)n;
	do {
		if ((e = room(c, 1)) != 0)
			return e;
		c->z.next_out = c->out + c->out_len;
		c->z.avail_out = (uInt)(OUT_CAP - c->out_len);
		rc = deflate(&c->z, end ? Z_FINISH : Z_NO_FLUSH);
		c->out_len = OUT_CAP - c->z.avail_out;
		if (rc == Z_STREAM_ERROR)
			return EIO;
	} while (c->z.avail_in > 0 || (end && rc != Z_STREAM_END));
	return 0;
}

static int
zstd_run(struct sdc_codec *c, const uint8_t *p, size_t n, bool end)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t left;
	int e;

	do {
		if ((e = room(c, 1)) != 0)
			return e;
		ZSTD_outBuffer o = { c->out, OUT_CAP, c->out_len };
		left = ZSTD_compressStream2(c->zs, &o, &in,
		    end ? ZSTD_e_end : ZSTD_e_continue);
		c->out_len = o.pos;
		if (ZSTD_isError(left))
			return EIO;
	} while (end ? left != 0 : in.pos < in.size);
	return 0;
}

static int
lz4_write(struct sdc_codec *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = n < PIECE ? n : PIECE, got;
		int e = room(c, LZ4F_compressBound(k, NULL));

		if (e != 0)
			return e;
		got = LZ4F_compressUpdate(c->lz, c->out + c->out_len,
		    OUT_CAP - c->out_len, p, k, NULL);
		if (LZ4F_isError(got))
			return EIO;
		c->out_len += got;
		p += k;
		n -= k;
	}
	return 0;
}

static int
lz4_end(struct sdc_codec *c)
{
	size_t got;
	int e = room(c, LZ4F_compressBound(0, NULL));

	if (e != 0)
		return e;
	got = LZ4F_compressEnd(c->lz, c->out + c->out_len,
	    OUT_CAP - c->out_len, NULL);
	if (LZ4F_isError(got))
		return EIO;
	c->out_len += got;
	return 0;
}

static void
put_le(uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A chunk of the framing format: compressed (0x00) unless that is larger. */
static int
snappy_chunk(struct sdc_codec *c)
{
	uint32_t crc = sdc_crc32c(0, c->block, c->block_len);
	size_t len = snappy_max_compressed_length(c->block_len);
	uint8_t *h;
	int e = room(c, 8 + len);

	if (e != 0)
		return e;
	h = c->out + c->out_len;
	if (snappy_compress((const char *)c->block, c->block_len,
	    (char *)h + 8, &len) != SNAPPY_OK)
		return EIO;
	h[0] = 0x00;
	if (len >= c->block_len) {
		h[0] = 0x01;
		len = c->block_len;
		memcpy(h + 8, c->block, len);
	}
	put_le(h + 1, (uint32_t)(4 + len), 3);
	put_le(h + 4, ((crc >> 15) | (crc << 17)) + 0xa282ead8u, 4);
	c->out_len += 8 + len;
	c->block_len = 0;
	return 0;
}

static int
snappy_write(struct sdc_codec *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = SNAPPY_BLOCK - c->block_len;
		int e;

		k = k < n ? k : n;
		memcpy(c->block + c->block_len, p, k);
		c->block_len += k;
		p += k;
		n -= k;
		if (c->block_len == SNAPPY_BLOCK && (e = snappy_chunk(c)) != 0)
			return e;
	}
	return 0;
}

static bool
start_stream(struct sdc_codec *c)
{
	size_t got;

	switch (c->kind) {
	case SDC_CODEC_GZIP:
		return deflateInit2(&c->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
		    15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
	case SDC_CODEC_ZSTD:
		return (c->zs = ZSTD_createCCtx()) != NULL;
	case SDC_CODEC_LZ4:
		if (LZ4F_isError(LZ4F_createCompressionContext(&c->lz,
		    LZ4F_VERSION)))
			return false;
		got = LZ4F_compressBegin(c->lz, c->out, OUT_CAP, NULL);
		if (LZ4F_isError(got))
			return false;
		c->out_len = got;
		return true;
	case SDC_CODEC_SNAPPY:
		c->block = sdc_xmalloc(SNAPPY_BLOCK);
		memcpy(c->out, snappy_stream_id, sizeof snappy_stream_id);
		c->out_len = sizeof snappy_stream_id;
		return true;
	case SDC_CODEC_NONE:
		break;
	}
	return true;
}

struct sdc_codec *
sdc_codec_new(enum sdc_codec_kind kind, int fd)
{
	struct sdc_codec *c = sdc_xcalloc(1, sizeof *c);

	c->kind = kind;
	c->writes = sdc_writes_new(fd);
	c->out = sdc_xmalloc(OUT_CAP);
	if (!start_stream(c)) {
		sdc_codec_free(c);
		return NULL;
	}
	return c;
}

int
sdc_codec_write(struct sdc_codec *c, const void *p, size_t n)
{
	const uint8_t *b = p;
	int e = 0;

	/* zlib counts in uInt: feed it at most a GiB at a time. */
	for (size_t k; e == 0 && n > 0; b += k, n -= k) {
		k = n < (1u << 30) ? n : (1u << 30);
		switch (c->kind) {
		case SDC_CODEC_NONE: e = plain_write(c, b, k); break;
		case SDC_CODEC_GZIP: e = gzip_run(c, b, k, false); break;
		case SDC_CODEC_ZSTD: e = zstd_run(c, b, k, false); break;
		case SDC_CODEC_LZ4: e = lz4_write(c, b, k); break;
		case SDC_CODEC_SNAPPY: e = snappy_write(c, b, k); break;
		}
	}
	return e;
}

int
sdc_codec_finish(struct sdc_codec *c)
{
	int e = 0;

	switch (c->kind) {
	case SDC_CODEC_NONE: break;
	case SDC_CODEC_GZIP: e = gzip_run(c, NULL, 0, true); break;
	case SDC_CODEC_ZSTD: e = zstd_run(c, NULL, 0, true); break;
	case SDC_CODEC_LZ4: e = lz4_end(c); break;
	case SDC_CODEC_SNAPPY:
		e = c->block_len > 0 ? snappy_chunk(c) : 0;
		break;
	}
	if (e == 0)
		e = drain(c);
	return e != 0 ? e : sdc_writes_wait(c->writes);
}

uint64_t
sdc_codec_written(const struct sdc_codec *c)
{
	return sdc_writes_done(c->writes);
}

void
sdc_codec_free(struct sdc_codec *c)
{
	if (c == NULL)
		return;
	sdc_writes_free(c->writes);
	if (c->kind == SDC_CODEC_GZIP)
		deflateEnd(&c->z);
	ZSTD_freeCCtx(c->zs);
	if (c->lz != NULL)
		LZ4F_freeCompressionContext(c->lz);
	free(c->block);
	free(c->out);
	free(c);
}
