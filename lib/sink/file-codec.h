#ifndef SDC_FILE_CODEC_H
#define SDC_FILE_CODEC_H
/*
 * The compression of the file destination: a stream of bytes into a
 * file descriptor, whole files in the formats their own tools read:
 * gzip (zlib), zstd (libzstd), the lz4 frame format (liblz4) and the
 * snappy framing format (libsnappy's blocks, CRC-32C checked, as
 * python-snappy and snzip read).  A codec owns its buffers, not the fd;
 * its writes are done by the writing thread (file-writes.h), so the fd
 * stays open until sdc_codec_free has returned.
 */
#include <stddef.h>
#include <stdint.h>

enum sdc_codec_kind {
	SDC_CODEC_NONE,
	SDC_CODEC_GZIP,
	SDC_CODEC_ZSTD,
	SDC_CODEC_LZ4,
	SDC_CODEC_SNAPPY
};

/* "none", "gzip", "zstd", "lz4", "snappy", NULL: in kind order. */
extern const char *const sdc_codec_names[];
/* What a file name ends with: "", ".gz", ".zst", ".lz4", ".sz". */
const char *sdc_codec_extension(enum sdc_codec_kind kind);

struct sdc_codec;
struct sdc_codec *sdc_codec_new(enum sdc_codec_kind kind, int fd);
/*
 * 0, or the errno of a write before (or EIO when the library failed):
 * a write that fails is known at the next call.
 */
int	sdc_codec_write(struct sdc_codec *c, const void *p, size_t n);
/* End the stream (its trailer) and write out all: 0 or errno, once done. */
int	sdc_codec_finish(struct sdc_codec *c);
/* Bytes written to the fd, once what was handed over is. */
uint64_t sdc_codec_written(const struct sdc_codec *c);
void	sdc_codec_free(struct sdc_codec *c);

#endif
