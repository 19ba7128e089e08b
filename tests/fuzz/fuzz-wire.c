/*
 * libFuzzer harness for the record stream reader and the record
 * decoder: any bytes, read as a stream, then every frame's payload
 * decoded and re-encoded.  Built by scripts/fuzz.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame-reader.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decode_and_reencode(struct sdc_record *r, const struct sdc_frame *f)
{
	struct sdc_buf out;
	const char *reason;

	if (f->kind < SDC_KIND_DATA || f->kind > SDC_KIND_EVENT)
		return;
	if (sdc_wire_decode(r, f->kind, f->payload, f->payload_len,
	    &reason) != 0)
		return;
	sdc_buf_init(&out, 1u << 26);
	/* What decodes must encode again, to the same length or shorter. */
	if (!sdc_wire_encode(&out, r, 1u << 26, &reason) ||
	    out.len > f->size)
		abort();
	sdc_buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-wire", 0);
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_record r;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	sdc_frame_reader_open(&fr, "-", 1u << 20);
	fr.fd = fd;
	sdc_record_init(&r);
	while (sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME)
		decode_and_reencode(&r, &f);
	sdc_record_release(&r);
	sdc_frame_reader_close(&fr);
	close(fd);
	/* The decoder alone, on the raw bytes as a payload. */
	sdc_record_init(&r);
	{
		const char *reason;

		sdc_wire_decode(&r, SDC_KIND_ERROR, data, size, &reason);
	}
	sdc_record_release(&r);
	return 0;
}
