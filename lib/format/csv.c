/* Delimited text (CSV, TSV) in the manner of the StreamSets format. */
#include <string.h>

#include "banned.h"
#include "cli.h"
#include "delimited.h"
#include "format.h"

static void
csv_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	struct sdc_csv_reader *r = sdc_csv_reader_new(run, in->name, opts);

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

static struct sdc_writer *
csv_writer(const void *opts)
{
	return sdc_csv_writer_new(opts);
}

/* Options. */
static const char *const header_modes[] = { "use", "none", "ignore", NULL };

static void
opts_init(void *opts)
{
	struct sdc_csv_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->delimiter = ',';
	o->quote = '"';
	o->header = SDC_HEADER_USE;
}

static void
set_delimiter(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->delimiter = sdc_parse_char(opt, arg);
}

static void
set_tsv(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->delimiter = '\t';
}

static void
set_quote(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->quote = sdc_parse_char(opt, arg);
}

static void
set_escape(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->escape = sdc_parse_char(opt, arg);
}

static void
set_header(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->header =
	    (enum sdc_header_mode)sdc_parse_word(opt, arg, header_modes);
}

static void
set_skip_lines(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->skip_lines = sdc_parse_count(opt, arg);
}

static void
set_infer_types(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->infer_types = true;
}

static void
set_exact_decimals(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->exact_decimals = true;
}

static const struct sdc_format_option options[] = {
	{ "delimiter", 'd', "CHAR", "field delimiter (default ,)",
	  set_delimiter },
	{ "tsv", 't', NULL, "tab-separated values", set_tsv },
	{ "quote", 0, "CHAR", "quote character (\")", set_quote },
	{ "escape", 0, "CHAR", "escape character (default: doubled quote)",
	  set_escape },
	{ "header", 0, "MODE", "use, none or ignore the header line (use)",
	  set_header },
	{ "skip-lines", 0, "N", "skip N lines before anything else",
	  set_skip_lines },
	{ "infer-types", 0, NULL, "numbers and booleans typed, not STRING",
	  set_infer_types },
	{ "exact-decimals", 0, NULL,
	  "inferred fractional numbers as exact DECIMAL", set_exact_decimals },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_csv = {
	.name = "csv",
	.summary = "delimited text: CSV, TSV (--delimiter)",
	.options = options,
	.opts_size = sizeof(struct sdc_csv_opts),
	.opts_init = opts_init,
	.read = csv_read,
	.writer = csv_writer,
};
