/* The options of the file destination and the names they make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file-sink.h"
#include "xalloc.h"
#include "banned.h"

#define O(p)	((struct file_opts *)(p))

void
sdc_file_opts_init(void *opts)
{
	struct file_opts *o = opts;

	memset(o, 0, sizeof *o);
	o->directory = ".";
	o->prefix = "sdc-";
	o->suffix = "";
	o->roll_attribute = "roll";
	o->late_limit = 3600;
	o->max_open = 64;
}

static void
one_component(const char *opt, const char *arg)
{
	if (strchr(arg, '/') != NULL)
		sdc_usage_error("%s: a file name, without \"/\": %s", opt, arg);
}

static void
set_directory(void *p, const char *opt, const char *arg)
{
	if (*arg == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	O(p)->directory = arg;
}

static void
set_name(void *p, const char *opt, const char *arg)
{
	one_component(opt, arg);
	if (*arg == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	O(p)->name = arg;
}

static void
set_prefix(void *p, const char *opt, const char *arg)
{
	one_component(opt, arg);
	O(p)->prefix = arg;
	O(p)->parts_given = true;
}

static void
set_suffix(void *p, const char *opt, const char *arg)
{
	one_component(opt, arg);
	O(p)->suffix = arg;
	O(p)->parts_given = true;
}

static void
set_compression(void *p, const char *opt, const char *arg)
{
	O(p)->compression = (enum sdc_codec_kind)sdc_parse_word(opt, arg,
	    sdc_codec_names);
}

static void
set_max_records(void *p, const char *opt, const char *arg)
{
	O(p)->roll.max_records = sdc_parse_count(opt, arg);
}

static void
set_max_bytes(void *p, const char *opt, const char *arg)
{
	O(p)->roll.max_bytes = sdc_parse_size(opt, arg);
}

static void
set_max_age(void *p, const char *opt, const char *arg)
{
	O(p)->roll.max_age = sdc_parse_duration(opt, arg);
}

static void
set_idle_timeout(void *p, const char *opt, const char *arg)
{
	O(p)->roll.idle_timeout = sdc_parse_duration(opt, arg);
}

static void
set_roll_attribute(void *p, const char *opt, const char *arg)
{
	if (*arg == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	O(p)->roll_attribute = arg;
}

/* A duration, or 0: no record is late. */
static void
set_late_limit(void *p, const char *opt, const char *arg)
{
	O(p)->late_limit = strcmp(arg, "0") == 0 ? 0 :
	    sdc_parse_duration(opt, arg);
}

static void
set_late_records(void *p, const char *opt, const char *arg)
{
	static const char *const modes[] = { "error", "directory", NULL };

	O(p)->late_mode = (enum file_late_mode)sdc_parse_word(opt, arg, modes);
}

static void
set_late_directory(void *p, const char *opt, const char *arg)
{
	if (*arg == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	O(p)->late_directory = arg;
	O(p)->late_mode = FILE_LATE_DIRECTORY;
}

static void
set_max_open(void *p, const char *opt, const char *arg)
{
	O(p)->max_open = sdc_parse_count(opt, arg);
	if (O(p)->max_open == 0)
		sdc_usage_error("%s: must be at least 1", opt);
}

void
sdc_file_opts_check(const struct file_opts *o)
{
	if (o->late_mode == FILE_LATE_DIRECTORY && o->late_directory == NULL)
		sdc_usage_error("--late-records=directory needs "
		    "--late-directory");
	if (o->name != NULL && o->parts_given)
		sdc_usage_error("--name replaces --file-prefix and "
		    "--file-suffix: give one or the others");
}

char *
sdc_file_name_template(const struct file_opts *o)
{
	const char *ext = sdc_codec_extension(o->compression);
	size_t n;
	char *t;

	if (o->name != NULL)
		return sdc_xstrdup(o->name);
	n = strlen(o->prefix) + strlen(o->suffix) + strlen(ext) + 8;
	t = sdc_xmalloc(n);
	snprintf(t, n, "%s${uuid}%s%s", o->prefix, o->suffix, ext);
	return t;
}

const struct sdc_plugin_option sdc_file_options[] = {
	{ "directory", 0, "TEMPLATE", "write the files there, a directory "
	  "each distinct expansion (.)", set_directory },
	{ "name", 0, "TEMPLATE", "name the files so, instead of PREFIX, a "
	  "UUID, SUFFIX and the compression's extension", set_name },
	{ "file-prefix", 0, "TEMPLATE", "what the file names start with "
	  "(sdc-)", set_prefix },
	{ "file-suffix", 0, "TEMPLATE", "what comes after the UUID in the "
	  "file names, as .json", set_suffix },
	{ "compression", 0, "CODEC", "none, gzip, zstd, lz4 or snappy "
	  "(none)", set_compression },
	{ "max-records", 0, "N", "close a file at N records (0: no bound)",
	  set_max_records },
	{ "max-bytes", 0, "SIZE", "close a file at SIZE bytes rendered, as "
	  "64M (0: no bound)", set_max_bytes },
	{ "max-age", 0, "DURATION", "close a file open that long, as 15m "
	  "(0: no bound)", set_max_age },
	{ "idle-timeout", 0, "DURATION", "close a file that long without a "
	  "record (0: never)", set_idle_timeout },
	{ "roll-attribute", 0, "NAME", "a record with this header attribute "
	  "closes its file first (roll)", set_roll_attribute },
	{ "late-limit", 0, "DURATION", "a record older than the newest seen "
	  "by more is late (1h; 0: none)", set_late_limit },
	{ "late-records", 0, "MODE", "error (an error record) or directory "
	  "(--late-directory) (error)", set_late_records },
	{ "late-directory", 0, "TEMPLATE", "write late records under this "
	  "directory instead", set_late_directory },
	{ "max-open-files", 0, "N", "close the least recently written file "
	  "past N open (64)", set_max_open },
	{ NULL, 0, NULL, NULL, NULL }
};
