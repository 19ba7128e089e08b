/*
 * The block codecs of Avro container files: null, deflate (raw, as
 * RFC 1951, through zlib), snappy (a raw snappy block followed by the
 * big-endian CRC-32 of the uncompressed bytes) and zstandard.  Output
 * never grows past the buffer's cap, whatever a block claims.
 */
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "avro-format.h"
#include "banned.h"

static const char *const names[] = {
	"null", "deflate", "snappy", "zstandard", NULL
};

int
sdc_avro_codec_find(const char *name, size_t len)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

const char *
sdc_avro_codec_name(enum sdc_avro_codec c)
{
	return names[c];
}

static const char *
deflate_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return "deflate failed to start";
	if (!sdc_buf_reserve(out, deflateBound(&z, (uLong)n))) {
		deflateEnd(&z);
		return "block too large";
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out->data;
	z.avail_out = (uInt)(out->cap);
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? NULL : "deflate failed";
}

static const char *
inflate_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	z_stream z;
	int rc = Z_OK;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK)
		return "inflate failed to start";
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	while (rc == Z_OK) {
		if (!sdc_buf_reserve(out, n > 4096 ? n : 4096)) {
			inflateEnd(&z);
			return "uncompressed block larger than the limit";
		}
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)(z.next_out - out->data);
		if (rc == Z_BUF_ERROR && z.avail_in > 0)
			rc = Z_OK;
	}
	inflateEnd(&z);
	return rc == Z_STREAM_END ? NULL : "bad deflate data";
}

static const char *
snappy_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	size_t len = snappy_max_compressed_length(n);
	uLong crc = crc32(0, in, (uInt)n);

	if (!sdc_buf_reserve(out, len + 4))
		return "block too large";
	if (snappy_compress((const char *)in, n, (char *)out->data, &len) !=
	    SNAPPY_OK)
		return "snappy failed";
	out->len = len;
	for (int i = 3; i >= 0; i--)
		out->data[out->len++] = (uint8_t)(crc >> (8 * i));
	return NULL;
}

static const char *
unsnappy_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	size_t len;
	uint32_t want;

	if (n < 4)
		return "snappy block without its CRC";
	n -= 4;
	want = (uint32_t)in[n] << 24 | (uint32_t)in[n + 1] << 16 |
	    (uint32_t)in[n + 2] << 8 | in[n + 3];
	if (snappy_uncompressed_length((const char *)in, n, &len) !=
	    SNAPPY_OK)
		return "bad snappy data";
	if (!sdc_buf_reserve(out, len))
		return "uncompressed block larger than the limit";
	if (snappy_uncompress((const char *)in, n, (char *)out->data, &len) !=
	    SNAPPY_OK)
		return "bad snappy data";
	out->len = len;
	if (crc32(0, out->data, (uInt)len) != want)
		return "snappy block fails its CRC";
	return NULL;
}

static const char *
zstd_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	size_t bound = ZSTD_compressBound(n), len;

	if (!sdc_buf_reserve(out, bound))
		return "block too large";
	len = ZSTD_compress(out->data, bound, in, n, 3);
	if (ZSTD_isError(len))
		return "zstandard failed";
	out->len = len;
	return NULL;
}

static const char *
unzstd_block(const uint8_t *in, size_t n, struct sdc_buf *out)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t rc = 1;

	ZSTD_initDStream(z);
	while (rc != 0) {
		ZSTD_outBuffer ob;

		if (!sdc_buf_reserve(out, 1u << 16)) {
			ZSTD_freeDStream(z);
			return "uncompressed block larger than the limit";
		}
		ob.dst = out->data;
		ob.size = out->cap;
		ob.pos = out->len;
		rc = ZSTD_decompressStream(z, &ob, &ib);
		out->len = ob.pos;
		if (ZSTD_isError(rc) || (rc != 0 && ib.pos == ib.size &&
		    ob.pos < ob.size)) {
			ZSTD_freeDStream(z);
			return "bad zstandard data";
		}
	}
	ZSTD_freeDStream(z);
	return ib.pos == ib.size ? NULL : "bytes after the zstandard frame";
}

const char *
sdc_avro_compress(enum sdc_avro_codec c, const uint8_t *in, size_t n,
    struct sdc_buf *out)
{
	sdc_buf_reset(out);
	switch (c) {
	case SDC_AVRO_CODEC_DEFLATE:
		return deflate_block(in, n, out);
	case SDC_AVRO_CODEC_SNAPPY:
		return snappy_block(in, n, out);
	case SDC_AVRO_CODEC_ZSTD:
		return zstd_block(in, n, out);
	default:
		return sdc_buf_append(out, in, n) ? NULL : "block too large";
	}
}

const char *
sdc_avro_uncompress(enum sdc_avro_codec c, const uint8_t *in, size_t n,
    struct sdc_buf *out)
{
	sdc_buf_reset(out);
	switch (c) {
	case SDC_AVRO_CODEC_DEFLATE:
		return inflate_block(in, n, out);
	case SDC_AVRO_CODEC_SNAPPY:
		return unsnappy_block(in, n, out);
	case SDC_AVRO_CODEC_ZSTD:
		return unzstd_block(in, n, out);
	default:
		return sdc_buf_append(out, in, n) ? NULL : "block too large";
	}
}
