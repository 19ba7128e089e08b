/* sdc-convert: formats to and from record streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "format.h"
#include "run.h"

enum {
	OPT_C2J = 0x100, OPT_J2C, OPT_PRETTY, OPT_TYPED, OPT_JSON_MODE,
	OPT_EXACT, OPT_QUOTE, OPT_ESCAPE, OPT_HEADER, OPT_SKIP_LINES,
	OPT_INFER, OPT_LINE_DELIM, OPT_MAX_LINE, OPT_TEXT_FIELD, OPT_CHUNK
};

static const struct sdc_option options[] = {
	{ "from", 'i', 'i', true, "FORMAT",
	  "input: sdc, json, csv, text or bytes (sdc)" },
	{ "to", 'o', 'o', true, "FORMAT",
	  "output: sdc, json, csv, text or bytes (sdc)" },
	{ "c2j", 0, OPT_C2J, false, NULL, "same as --from csv --to json" },
	{ "j2c", 0, OPT_J2C, false, NULL, "same as --from json --to csv" },
	{ "pretty", 0, OPT_PRETTY, false, NULL, "json: indent the output" },
	{ "typed", 0, OPT_TYPED, false, NULL,
	  "json: every frame with its types, losslessly" },
	{ "json-mode", 0, OPT_JSON_MODE, true, "MODE",
	  "json: auto, lines or array (default auto)" },
	{ "exact-decimals", 0, OPT_EXACT, false, NULL,
	  "json, csv: fractional numbers as exact DECIMAL" },
	{ "delimiter", 'd', 'd', true, "CHAR",
	  "csv: field delimiter (default ,)" },
	{ "tsv", 't', 't', false, NULL, "csv: tab-separated values" },
	{ "quote", 0, OPT_QUOTE, true, "CHAR", "csv: quote character (\")" },
	{ "escape", 0, OPT_ESCAPE, true, "CHAR",
	  "csv: escape character (default: doubled quote)" },
	{ "header", 0, OPT_HEADER, true, "MODE",
	  "csv: use, none or ignore the header line (use)" },
	{ "skip-lines", 0, OPT_SKIP_LINES, true, "N",
	  "csv: skip N lines before anything else" },
	{ "infer-types", 0, OPT_INFER, false, NULL,
	  "csv: numbers and booleans typed, not STRING" },
	{ "line-delimiter", 0, OPT_LINE_DELIM, true, "STRING",
	  "text: what ends a line (default \\n)" },
	{ "max-line-length", 0, OPT_MAX_LINE, true, "SIZE",
	  "text: longer lines are errors (default 1M)" },
	{ "text-field", 0, OPT_TEXT_FIELD, true, "PATH",
	  "text: the field holding the line (default /text)" },
	{ "chunk-size", 0, OPT_CHUNK, true, "SIZE",
	  "bytes: one record per SIZE bytes (default: all)" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct convert {
	const char		*from;
	const char		*to;
	struct sdc_format_opts	 fo;
};

static const char *const json_modes[] = { "auto", "lines", "array", NULL };
static const char *const header_modes[] = { "use", "none", "ignore", NULL };

static void
set_text_field(struct convert *c, const char *arg)
{
	char err[128];

	sdc_path_release(&c->fo.text_field);
	if (sdc_path_parse(&c->fo.text_field, arg, err, sizeof err) != 0)
		sdc_usage_error("--text-field: '%s': %s", arg, err);
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct convert *c = ctx;
	struct sdc_format_opts *fo = &c->fo;

	switch (val) {
	case 'i': c->from = arg; break;
	case 'o': c->to = arg; break;
	case OPT_C2J: c->from = "csv"; c->to = "json"; break;
	case OPT_J2C: c->from = "json"; c->to = "csv"; break;
	case OPT_PRETTY: fo->pretty = true; break;
	case OPT_TYPED: fo->typed = true; break;
	case OPT_JSON_MODE:
		fo->json_mode = (enum sdc_json_mode)sdc_parse_word(
		    "--json-mode", arg, json_modes);
		break;
	case OPT_EXACT: fo->exact_decimals = true; break;
	case 'd': fo->delimiter = sdc_parse_char("--delimiter", arg); break;
	case 't': fo->delimiter = '\t'; break;
	case OPT_QUOTE: fo->quote = sdc_parse_char("--quote", arg); break;
	case OPT_ESCAPE: fo->escape = sdc_parse_char("--escape", arg); break;
	case OPT_HEADER:
		fo->header = (enum sdc_header_mode)sdc_parse_word("--header",
		    arg, header_modes);
		break;
	case OPT_SKIP_LINES:
		fo->skip_lines = sdc_parse_count("--skip-lines", arg);
		break;
	case OPT_INFER: fo->infer_types = true; break;
	case OPT_LINE_DELIM:
		if (arg[0] == '\0')
			sdc_usage_error("--line-delimiter: must not be empty");
		fo->line_delimiter = strcmp(arg, "\\n") == 0 ? "\n" : arg;
		break;
	case OPT_MAX_LINE:
		fo->max_line = sdc_parse_size("--max-line-length", arg);
		break;
	case OPT_TEXT_FIELD: set_text_field(c, arg); break;
	case OPT_CHUNK:
		fo->chunk_size = sdc_parse_size("--chunk-size", arg);
		break;
	}
}

static const struct sdc_cli cli = {
	"[options] [FILE ...]",
	"Convert JSON, CSV, text and bytes to and from sdc record streams.",
	"  sdc-convert --from csv sightings.csv | sdc-convert --to json\n"
	"  sdc-convert --to json --pretty < records.sdc",
	options,
	handle
};

/* NULL for the record side; exits on a name it does not know. */
static const struct sdc_format *
format_named(const char *opt, const char *name, bool reading)
{
	const struct sdc_format *f;

	if (name == NULL || strcmp(name, "sdc") == 0)
		return NULL;
	f = sdc_format_find(name);
	if (f == NULL)
		sdc_usage_error("%s: unknown format '%s' (one of: sdc, json, "
		    "csv, text, bytes)", opt, name);
	if (reading ? f->read == NULL : f->writer == NULL)
		sdc_usage_error("%s: format '%s' cannot be %s", opt, name,
		    reading ? "read" : "written");
	return f;
}

int
main(int argc, char **argv)
{
	struct convert c = { NULL, NULL, { 0 } };
	struct sdc_options opt;
	struct sdc_run run;
	const struct sdc_format *from, *to;
	char *stdin_only[] = { "-", NULL };
	char **files;
	int first, status;

	sdc_options_init(&opt);
	sdc_format_opts_init(&c.fo);
	first = sdc_cli_parse(&cli, &opt, &c, argc, argv);
	from = format_named("--from", c.from, true);
	to = format_named("--to", c.to, false);
	files = first < argc ? argv + first : stdin_only;
	sdc_run_start(&run, sdc_progname(), &opt,
	    to != NULL ? to->writer(&c.fo) : NULL);
	for (; *files != NULL; files++) {
		if (from != NULL)
			sdc_run_read_input(&run, from, &c.fo, *files);
		else
			sdc_run_read_stream(&run, *files);
	}
	status = sdc_run_finish(&run);
	sdc_format_opts_release(&c.fo);
	return status;
}
