/*
 * The file origin, the default: the files named (standard input when
 * none), each whole through the format reader, one file a turn of the
 * loop; and with --watch, a directory followed as tail -F follows a
 * file (file-watch.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "file-origin.h"
#include "ingest.h"
#include "input.h"
#include "loop.h"
#include "origin.h"
#include "xalloc.h"
#include "banned.h"

struct file_origin {
	struct sdc_ingest		*ing;
	const struct sdc_file_opts	*opt;
	char *const			*files;
	int				 nfiles, next;
	struct sdc_timer		*turn;
	struct sdc_file_watch		*watch;
	bool				 full;
};

static void
read_one(struct file_origin *fo, const char *path)
{
	struct sdc_run *run = fo->ing->run;
	struct sdc_input in;
	struct sdc_meta m;

	if (sdc_input_open(&in, path) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(run, SDC_EXIT_IO);
		return;
	}
	sdc_meta_clear(&m);
	sdc_meta_add(&m, "file", in.name);
	sdc_loop_signals_open(fo->ing->loop, true);
	sdc_ingest_input(fo->ing, &in, &m);
	sdc_loop_signals_open(fo->ing->loop, false);
	sdc_input_close(&in);
}

/* One file a turn, so that signals and the output are seen between. */
static void
next_file(void *ctx)
{
	struct file_origin *fo = ctx;

	if (fo->next < fo->nfiles) {
		read_one(fo, fo->files[fo->next++]);
		if (!fo->full)
			sdc_loop_timer_arm(fo->turn, 0);
		return;
	}
	if (fo->watch == NULL)
		sdc_ingest_done(fo->ing);
}

static void
on_pressure(void *ctx, bool full)
{
	struct file_origin *fo = ctx;

	fo->full = full;
	if (!full && fo->next < fo->nfiles)
		sdc_loop_timer_arm(fo->turn, 0);
}

/* --dry-run: the files open, nothing is read. */
static void
check_files(struct file_origin *fo)
{
	for (int i = 0; i < fo->nfiles; i++) {
		struct sdc_input in;

		if (sdc_input_open(&in, fo->files[i]) != 0) {
			sdc_warn("%s", fo->files[i]);
			sdc_run_fail(fo->ing->run, SDC_EXIT_IO);
			continue;
		}
		sdc_input_close(&in);
	}
}

/* Standard input is one: a second section that would read it is refused. */
static void
claim_stdin(const struct file_origin *fo)
{
	static bool taken;
	bool wanted = false;

	for (int i = 0; i < fo->nfiles; i++)
		wanted |= strcmp(fo->files[i], "-") == 0;
	if (wanted && taken)
		sdc_usage_error("standard input is read by another section "
		    "already");
	taken |= wanted;
}

static void *
file_start(struct sdc_ingest *ing, const void *opts, int argc,
    char *const *argv)
{
	static char *const stdin_only[] = { "-", NULL };
	struct file_origin *fo = sdc_xcalloc(1, sizeof(*fo));

	fo->ing = ing;
	fo->opt = opts;
	fo->files = argv;
	fo->nfiles = argc;
	if (argc == 0 && fo->opt->watch == NULL) {
		fo->files = stdin_only;
		fo->nfiles = 1;
	}
	claim_stdin(fo);
	if (ing->run->opt.dry_run)
		check_files(fo);
	if (fo->opt->watch != NULL)
		fo->watch = sdc_file_watch_start(ing, fo->opt);
	fo->turn = sdc_loop_timer(ing->loop, next_file, fo);
	sdc_loop_timer_arm(fo->turn, 0);
	sdc_loop_on_pressure(ing->loop, on_pressure, fo);
	return fo;
}

static void
file_stop(void *state)
{
	struct file_origin *fo = state;

	sdc_file_watch_stop(fo->watch);
	sdc_loop_timer_free(fo->turn);
	free(fo);
}

static void
opts_init(void *opts)
{
	struct sdc_file_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->pattern = "*";
}

static void
set_watch(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_file_opts *)opts)->watch = arg;
}

static void
set_pattern(void *opts, const char *opt, const char *arg)
{
	if (arg[0] == '\0' || strchr(arg, '/') != NULL)
		sdc_usage_error("%s: '%s' is not a file name pattern", opt,
		    arg);
	((struct sdc_file_opts *)opts)->pattern = arg;
}

static void
set_state(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_file_opts *)opts)->state = arg;
}

static void
set_from_start(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	((struct sdc_file_opts *)opts)->from_start = true;
}

static const struct sdc_plugin_option options[] = {
	{ "watch", 0, "DIR", "follow the files of DIR as they grow, and "
	  "new ones", set_watch },
	{ "pattern", 0, "GLOB", "only the files of DIR named GLOB "
	  "(default *)", set_pattern },
	{ "state", 0, "FILE", "remember the offsets in FILE, to resume "
	  "there", set_state },
	{ "from-start", 0, NULL, "read the files DIR holds already from "
	  "their start, not their end", set_from_start },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_origin sdc_origin_file = {
	.name = "file",
	.summary = "files, whole; or a directory followed as tail -F does",
	.operands = "[FILE ...]",
	.options = options,
	.opts_size = sizeof(struct sdc_file_opts),
	.opts_init = opts_init,
	.start = file_start,
	.stop = file_stop,
};
