/* sdc-convert: formats to and from record streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "format-options.h"
#include "format.h"
#include "path.h"
#include "run.h"

enum { OPT_C2J = 0x100, OPT_J2C, OPT_PAYLOAD_FIELD };

/*
 * The formats' own options come from format-options.h; the lists of
 * --from and --to from the formats' table.
 */
static char from_help[160] = "input: sdc, or one of ";
static char to_help[160] = "output: sdc, or one of ";

static const struct sdc_option options[] = {
	{ "from", 'i', 'i', true, "FORMAT", from_help },
	{ "to", 'o', 'o', true, "FORMAT", to_help },
	{ "c2j", 0, OPT_C2J, false, NULL, "same as --from csv --to json" },
	{ "j2c", 0, OPT_J2C, false, NULL, "same as --from json --to csv" },
	{ "payload-field", 0, OPT_PAYLOAD_FIELD, true, "PATH",
	  "in a record stream read --from FORMAT, the field to parse "
	  "(default: root)" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct convert {
	const char	*from;
	const char	*to;
	const char	*payload_text;	/* --payload-field, or NULL */
	struct sdc_path	 payload;
};

static void
set_payload_field(struct convert *c, const char *arg)
{
	char err[128];

	sdc_path_release(&c->payload);
	if (sdc_path_parse(&c->payload, arg, err, sizeof err) != 0)
		sdc_usage_error("--payload-field: '%s': %s", arg, err);
	c->payload_text = arg;
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct convert *c = ctx;

	switch (val) {
	case 'i': c->from = arg; break;
	case 'o': c->to = arg; break;
	case OPT_C2J: c->from = "csv"; c->to = "json"; break;
	case OPT_J2C: c->from = "json"; c->to = "csv"; break;
	case OPT_PAYLOAD_FIELD: set_payload_field(c, arg); break;
	}
}

static const struct sdc_cli cli = {
	"[options] [FILE ...]",
	"Convert data formats (JSON, CSV, XML, Avro, Protobuf, logs, ...) to "
	"and from sdc record streams.",
	"  sdc-convert --from csv sightings.csv | sdc-convert --to json\n"
	"  sdc-convert --from text --text-field /body lines.json |\n"
	"    sdc-convert --from json --payload-field /body\n"
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
	if (f == NULL) {
		char names[160];

		sdc_format_names(names, sizeof(names), reading);
		sdc_usage_error("%s: unknown format '%s' (one of: sdc, %s)",
		    opt, name, names);
	}
	if (reading ? f->read == NULL : f->writer == NULL)
		sdc_usage_error("%s: format '%s' cannot be %s", opt, name,
		    reading ? "read" : "written");
	return f;
}

static void
list_formats(char *help, size_t len, bool reading)
{
	size_t n = strlen(help);

	sdc_format_names(help + n, len - n, reading);
	n = strlen(help);
	snprintf(help + n, len - n, " (sdc)");
}

int
main(int argc, char **argv)
{
	struct convert c;
	struct sdc_format_opts fo;
	struct sdc_options opt;
	struct sdc_run run;
	const struct sdc_format *from, *to;
	char *stdin_only[] = { "-", NULL };
	char **files;
	int first, status;

	memset(&c, 0, sizeof c);
	sdc_options_init(&opt);
	list_formats(from_help, sizeof(from_help), true);
	list_formats(to_help, sizeof(to_help), false);
	sdc_format_opts_init(&fo);
	first = sdc_cli_parse_groups(&cli, sdc_format_opts_groups(&fo), &opt,
	    &c, argc, argv);
	from = format_named("--from", c.from, true);
	to = format_named("--to", c.to, false);
	if (c.payload_text != NULL && from == NULL)
		sdc_usage_error("--payload-field: needs --from FORMAT, the "
		    "format of the payloads");
	files = first < argc ? argv + first : stdin_only;
	sdc_run_start(&run, sdc_progname(), &opt,
	    to != NULL ? to->writer(sdc_format_opts_get(&fo, to)) : NULL);
	for (; *files != NULL; files++) {
		if (from != NULL)
			sdc_run_read_input(&run, from,
			    sdc_format_opts_get(&fo, from), &c.payload,
			    *files);
		else
			sdc_run_read_stream(&run, *files);
	}
	status = sdc_run_finish(&run);
	sdc_format_opts_release(&fo);
	sdc_path_release(&c.payload);
	return status;
}
