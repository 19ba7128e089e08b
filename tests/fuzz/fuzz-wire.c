/*
 * libFuzzer harness for the record stream reader and the record
 * decoder: any bytes, read as a stream, then every frame's payload
 * decoded and re-encoded, and every data frame's rendered as JSON from
 * its bytes, from its fields after its header decoded apart, and from
 * its tree, which must agree.  Built by
 * scripts/fuzz.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame-reader.h"
#include "json-write.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text, or the reason it has none. */
static void
render_tree(struct sdc_buf *out, struct sdc_record *r,
    const struct sdc_frame *f, const char **why)
{
	static const struct sdc_json_style plain;

	if (sdc_wire_decode(r, f->kind, f->payload, f->payload_len, why) != 0)
		return;
	if (!sdc_buf_reserve(out, sdc_json_record_bound(r, &plain, 0)))
		abort();
	if ((*why = sdc_json_render_record(out, r, &plain, 0)) != NULL)
		abort();
}

/* The fields rendered after the header was decoded apart, as sdc-sink does. */
static void
compare_fields(struct sdc_record *r, const struct sdc_frame *f, int rc_walk,
    const char *why_walk, const struct sdc_buf *walked)
{
	struct sdc_buf fields;
	const char *why = NULL;
	size_t header_len;
	int rc;

	if (sdc_wire_decode_header(r, f->kind, f->payload, f->payload_len,
	    &header_len, &why) != 0)
		return;
	sdc_buf_init(&fields, 1u << 28);
	rc = sdc_json_render_fields(&fields, &r->arena, f->payload,
	    f->payload_len, header_len, &why);
	if (rc != rc_walk || (rc < 0 && strcmp(why, why_walk) != 0))
		abort();
	if (rc == 0 && (fields.len != walked->len ||
	    memcmp(fields.data, walked->data, walked->len) != 0))
		abort();
	sdc_buf_release(&fields);
}

static void
compare_json(struct sdc_record *r, const struct sdc_frame *f)
{
	struct sdc_buf walked, tree;
	const char *why_walk = NULL, *why_tree = NULL;
	int rc;

	if (f->kind != SDC_KIND_DATA)
		return;
	sdc_buf_init(&walked, 1u << 28);
	sdc_buf_init(&tree, 1u << 28);
	rc = sdc_json_render_payload(&walked, r, f->payload, f->payload_len,
	    &why_walk);
	render_tree(&tree, r, f, &why_tree);
	if (rc > 0 || (rc < 0) != (why_tree != NULL))
		abort();
	if (rc < 0 && strcmp(why_walk, why_tree) != 0)
		abort();
	if (rc == 0 && (walked.len != tree.len ||
	    memcmp(walked.data, tree.data, tree.len) != 0))
		abort();
	compare_fields(r, f, rc, why_walk, &walked);
	sdc_buf_release(&walked);
	sdc_buf_release(&tree);
}

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
	while (sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME) {
		compare_json(&r, &f);
		decode_and_reencode(&r, &f);
	}
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
