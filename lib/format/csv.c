/* Delimited text (CSV, TSV) in the manner of the StreamSets format. */
#include "banned.h"
#include "delimited.h"
#include "format.h"

static void
csv_read(struct sdc_run *run, struct sdc_input *in,
    const struct sdc_format_opts *o)
{
	struct sdc_csv_reader *r = sdc_csv_reader_new(run, in->name, o);

	while (sdc_csv_reader_ok(r)) {
		size_t room;
		void *p = sdc_csv_reader_space(r, &room);
		ssize_t n = sdc_input_read(in, p, room);

		if (n < 0) {
			sdc_run_input_error(run, in);
			break;
		}
		if (n == 0) {
			sdc_csv_reader_finish(r);
			break;
		}
		sdc_csv_reader_commit(r, (size_t)n);
	}
	sdc_csv_reader_free(r);
}

const struct sdc_format sdc_format_csv = {
	.name = "csv",
	.summary = "delimited text: CSV, TSV (--delimiter)",
	.read = csv_read,
	.writer = sdc_csv_writer_new,
};
