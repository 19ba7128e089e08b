/* Reading inputs: record streams, and other formats through a reader. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "run.h"
#include "wire.h"
#include "banned.h"

/* A frame whose checksum is right but whose payload does not decode. */
void
sdc_run_bad_frame(struct sdc_run *run, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, const char *reason)
{
	char id[512];

	snprintf(id, sizeof id, "%s:byte %llu", fr->name,
	    (unsigned long long)f->offset);
	sdc_run_reject_raw(run, id, f->payload, f->payload_len,
	    "SDC_BAD_FRAME", "byte %llu: %s", (unsigned long long)f->offset,
	    reason);
}

static void
to_writer(struct sdc_run *run, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, struct sdc_record *r)
{
	const char *reason;
	int rc;

	if (!sdc_kind_is_known(f->kind) || f->kind == SDC_KIND_BATCH) {
		sdc_run_forward(run, f);
		return;
	}
	if (f->kind == SDC_KIND_DATA &&
	    (rc = sdc_run_emit_frame(run, f, r, &reason)) <= 0) {
		if (rc < 0)
			sdc_run_bad_frame(run, fr, f, reason);
		return;
	}
	if (sdc_wire_decode(r, f->kind, f->payload, f->payload_len,
	    &reason) != 0) {
		sdc_run_bad_frame(run, fr, f, reason);
		return;
	}
	sdc_run_emit(run, r);
}

void
sdc_run_pass_frame(struct sdc_run *run, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, struct sdc_record *scratch)
{
	run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA)
		run->n.in++;
	if (run->writer == NULL ||
	    (f->kind == SDC_KIND_ERROR && run->opt.errors_path != NULL))
		sdc_run_forward(run, f);
	else
		to_writer(run, fr, f, scratch);
}

/*
 * A live stream may pause: what is whole goes out before waiting for
 * more, so that records do not sit here while the next come slowly.
 */
static void
flush_before_wait(struct sdc_run *run, const struct sdc_frame_reader *fr)
{
	if (sdc_frame_reader_ready(fr) || run->opt.dry_run)
		return;
	sdc_out_flush(&run->out);
	if (run->opt.errors_path != NULL)
		sdc_out_flush(&run->errors);
}

/* Every frame of fr to each, or to sdc_run_pass_frame when NULL. */
static void
read_frames(struct sdc_run *run, struct sdc_frame_reader *fr,
    struct sdc_payload_parser *each)
{
	struct sdc_frame f;
	struct sdc_record r;
	enum sdc_read_status st;

	sdc_record_init(&r);
	for (;;) {
		flush_before_wait(run, fr);
		if ((st = sdc_frame_reader_next(fr, &f)) != SDC_READ_FRAME)
			break;
		if (each != NULL)
			sdc_payload_parser_frame(each, fr, &f);
		else
			sdc_run_pass_frame(run, fr, &f, &r);
	}
	if (st != SDC_READ_EOF) {
		sdc_warnx("%s", fr->err);
		sdc_run_fail(run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_record_release(&r);
}

void
sdc_run_read_stream(struct sdc_run *run, const char *path)
{
	struct sdc_frame_reader fr;

	if (sdc_frame_reader_open(&fr, path, run->opt.max_record) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(run, SDC_EXIT_IO);
		return;
	}
	if (!run->opt.dry_run)
		read_frames(run, &fr, NULL);
	sdc_frame_reader_close(&fr);
}

/*
 * Whether in starts with the magic of a record stream, deciding at the
 * first byte that differs, so that a live text input is not held up:
 * 1 or 0, or -1 when it cannot be read.
 */
static int
is_record_stream(struct sdc_input *in)
{
	ssize_t got;

	do {
		if (memcmp(in->ahead, SDC_MAGIC, in->ahead_len) != 0)
			return 0;
		if (in->ahead_len == SDC_MAGIC_LEN)
			return 1;
	} while ((got = sdc_input_peek(in, SDC_MAGIC_LEN)) > 0);
	return got < 0 ? -1 : 0;
}

/* The stream's descriptor goes to the frame reader, the peek with it. */
static void
read_payloads(struct sdc_run *run, struct sdc_input *in,
    const struct sdc_format *fmt, const void *opts,
    const struct sdc_path *field)
{
	struct sdc_frame_reader fr;
	struct sdc_payload_parser *p;

	sdc_frame_reader_open_fd(&fr, in->fd, in->name, run->opt.max_record);
	in->fd = -1;
	sdc_frame_reader_preload(&fr, in->ahead, in->ahead_len);
	p = sdc_payload_parser_new(run, fmt, opts, field);
	read_frames(run, &fr, p);
	sdc_payload_parser_free(p);
	sdc_frame_reader_close(&fr);
}

static void
read_formatted(struct sdc_run *run, struct sdc_input *in,
    const struct sdc_format *fmt, const void *opts)
{
	run->input = in;
	fmt->read(run, in, opts);
	run->input = NULL;
	run->n.bytes_in += in->offset;
}

void
sdc_run_read_input(struct sdc_run *run, const struct sdc_format *fmt,
    const void *opts, const struct sdc_path *payload_field, const char *path)
{
	struct sdc_input in;
	int stream;

	if (sdc_input_open(&in, path) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(run, SDC_EXIT_IO);
		return;
	}
	if (run->opt.dry_run)
		stream = 0;
	else if ((stream = is_record_stream(&in)) < 0)
		sdc_run_input_error(run, &in);
	else if (stream)
		read_payloads(run, &in, fmt, opts, payload_field);
	else
		read_formatted(run, &in, fmt, opts);
	sdc_input_close(&in);
}

void
sdc_run_input_error(struct sdc_run *run, const struct sdc_input *in)
{
	sdc_warn("%s", in->name);
	sdc_run_fail(run, SDC_EXIT_IO);
}
