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
set_delimiter(void *opts, const char *opt, const char *arg)
{
	struct sdc_csv_opts *o = opts;

	if (arg[0] == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	o->multi_delimiter = NULL;
	if (strlen(arg) == 1 || strcmp(arg, "\\t") == 0 ||
	    strcmp(arg, "tab") == 0)
		o->delimiter = sdc_parse_char(opt, arg);
	else if (strpbrk(arg, "\r\n") != NULL)
		sdc_usage_error("%s: a line break cannot delimit cells", opt);
	else
		o->multi_delimiter = arg;
}

static void
set_dialect(void *o, const char *opt, const char *arg)
{
	sdc_csv_dialect(o, sdc_csv_dialects[sdc_parse_word(opt, arg,
	    sdc_csv_dialects)]);
}

static void
set_comment(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->comment = sdc_parse_char(opt, arg);
}

static void
set_null_value(void *o, const char *opt, const char *arg)
{
	if (strpbrk(arg, "\r\n") != NULL)
		sdc_usage_error("%s: a cell holds no line break", opt);
	((struct sdc_csv_opts *)o)->null_value = arg;
}

static void
set_trim(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->trim = true;
}

static void
set_keep_extra(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->keep_extra = true;
}

static const char *const quote_modes[] = { "minimal", "all", "none", NULL };

static void
set_quote_mode(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->quote_mode =
	    (enum sdc_quote_mode)sdc_parse_word(opt, arg, quote_modes);
}

static void
set_crlf(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->crlf = true;
}

static void
set_flatten(void *o, const char *opt, const char *arg)
{
	((struct sdc_csv_opts *)o)->flatten = true;
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

static const struct sdc_plugin_option options[] = {
	{ "dialect", 0, "NAME", "excel, mysql, tdf, postgres-csv, ... (csv)",
	  set_dialect },
	{ "delimiter", 'd', "STRING", "cell delimiter, one or more bytes (,)",
	  set_delimiter },
	{ "tsv", 't', NULL, "tab-separated values", set_tsv },
	{ "quote", 0, "CHAR", "quote character (\")", set_quote },
	{ "escape", 0, "CHAR", "escape character (default: doubled quote)",
	  set_escape },
	{ "header", 0, "MODE", "use, none or ignore the header line (use)",
	  set_header },
	{ "skip-lines", 0, "N", "skip N lines before anything else",
	  set_skip_lines },
	{ "comment", 0, "CHAR", "skip lines that start with CHAR",
	  set_comment },
	{ "null-value", 0, "STRING", "cells of this text are nulls (as \\N)",
	  set_null_value },
	{ "trim-spaces", 0, NULL, "drop spaces around unquoted cells",
	  set_trim },
	{ "keep-extra-columns", 0, NULL, "cells past the header as /_extra_N",
	  set_keep_extra },
	{ "infer-types", 0, NULL, "numbers and booleans typed, not STRING",
	  set_infer_types },
	{ "exact-decimals", 0, NULL,
	  "inferred fractional numbers as exact DECIMAL", set_exact_decimals },
	{ "quote-mode", 0, "MODE", "quote minimal, all or none of the cells",
	  set_quote_mode },
	{ "crlf", 0, NULL, "end the rows written with CR LF", set_crlf },
	{ "flatten", 0, NULL, "write /a/b as column a.b, /a[0] as a.0",
	  set_flatten },
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
