/* Reading inputs: record streams, and other formats through a reader. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "run.h"
#include "wire.h"
#include "banned.h"

/* A frame whose checksum is right but whose payload does not decode. */
static void
bad_payload(struct sdc_run *run, struct sdc_frame_reader *fr,
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
			bad_payload(run, fr, f, reason);
		return;
	}
	if (sdc_wire_decode(r, f->kind, f->payload, f->payload_len,
	    &reason) != 0) {
		bad_payload(run, fr, f, reason);
		return;
	}
	sdc_run_emit(run, r);
}

static void
handle_frame(struct sdc_run *run, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, struct sdc_record *r)
{
	run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA)
		run->n.in++;
	if (run->writer == NULL ||
	    (f->kind == SDC_KIND_ERROR && run->opt.errors_path != NULL))
		sdc_run_forward(run, f);
	else
		to_writer(run, fr, f, r);
}

void
sdc_run_read_stream(struct sdc_run *run, const char *path)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_record r;
	enum sdc_read_status st;

	if (sdc_frame_reader_open(&fr, path, run->opt.max_record) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(run, SDC_EXIT_IO);
		return;
	}
	if (run->opt.dry_run) {
		sdc_frame_reader_close(&fr);
		return;
	}
	sdc_record_init(&r);
	while ((st = sdc_frame_reader_next(&fr, &f)) == SDC_READ_FRAME)
		handle_frame(run, &fr, &f, &r);
	if (st != SDC_READ_EOF) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_record_release(&r);
	sdc_frame_reader_close(&fr);
}

void
sdc_run_read_input(struct sdc_run *run, const struct sdc_format *fmt,
    const void *opts, const char *path)
{
	struct sdc_input in;

	if (sdc_input_open(&in, path) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(run, SDC_EXIT_IO);
		return;
	}
	run->input = &in;
	if (!run->opt.dry_run)
		fmt->read(run, &in, opts);
	run->input = NULL;
	run->n.bytes_in += in.offset;
	sdc_input_close(&in);
}

void
sdc_run_input_error(struct sdc_run *run, const struct sdc_input *in)
{
	sdc_warn("%s", in->name);
	sdc_run_fail(run, SDC_EXIT_IO);
}
