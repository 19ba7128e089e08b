#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "input.h"
#include "metrics.h"
#include "run.h"
#include "banned.h"

static double
elapsed_s(const struct sdc_run *run)
{
	return sdc_uptime() - run->started;
}

static void
add_table(const struct sdc_counter *c, json_t *j)
{
	for (; c != NULL && c->name != NULL; c++)
		json_object_set_new(j, c->name,
		    json_integer((json_int_t)*c->value));
}

static void
add_counters(const struct sdc_run *run, json_t *j)
{
	json_t *parts;

	if (run->tally != NULL)
		run->tally(run->tally_ctx);
	add_table(run->counters, j);
	if (run->parts == NULL)
		return;
	parts = json_array();
	for (const struct sdc_counter_set *s = run->parts; s->name != NULL;
	    s++) {
		json_t *part = json_pack("{s:s}", "name", s->name);

		add_table(s->counters, part);
		json_array_append_new(parts, part);
	}
	json_object_set_new(j, run->parts_key, parts);
}

static json_t *
counts_json(const struct sdc_run *run)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}",
	    "program", run->prog,
	    "records_in", (json_int_t)run->n.in,
	    "records_out", (json_int_t)run->n.out,
	    "errors", (json_int_t)run->n.errors,
	    "passed", (json_int_t)run->n.passed,
	    "bytes_in", (json_int_t)(run->n.bytes_in +
	    (run->input != NULL ? run->input->offset : 0)),
	    "bytes_out", (json_int_t)(run->out.bytes + run->out.buf.len),
	    "elapsed_seconds", elapsed_s(run),
	    "startup_seconds", run->ready - run->started);

	if (j != NULL)
		add_counters(run, j);
	return j;
}

/* Counts and seconds, the seconds to the microsecond. */
static char *
counts_text(const struct sdc_run *run)
{
	json_t *j = counts_json(run);
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));

	json_decref(j);
	return s;
}

bool
sdc_metrics_write(const struct sdc_run *run, const char *path)
{
	char tmp[4096];
	char *text = counts_text(run);
	FILE *fp;
	bool ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fp = fopen(tmp, "w");
	ok = fp != NULL && text != NULL && fprintf(fp, "%s\n", text) > 0;
	if (fp != NULL && fclose(fp) != 0)
		ok = false;
	free(text);
	if (!ok || rename(tmp, path) != 0) {
		sdc_warn("%s", path);
		remove(tmp);
		return false;
	}
	return true;
}

void
sdc_metrics_print(const struct sdc_run *run, FILE *fp)
{
	char *s = counts_text(run);

	fprintf(fp, "%s: %s\n", run->prog, s ? s : "{}");
	free(s);
}

void
sdc_progress_draw(const struct sdc_run *run, bool final)
{
	double t = elapsed_s(run);
	double rate = t > 0 ? (double)run->n.in / t : 0;
	bool redraw = isatty(STDERR_FILENO);	/* else a line each time */

	if (run->tally != NULL)
		run->tally(run->tally_ctx);
	fprintf(stderr, "%s%s: %llu in, %llu out, %llu errors, %.0f rec/s, "
	    "%.1f s ", redraw ? "\r" : "", run->prog, (unsigned long long)run->n.in,
	    (unsigned long long)run->n.out, (unsigned long long)run->n.errors,
	    rate, t);
	for (const struct sdc_counter *c = run->counters;
	    c != NULL && c->name != NULL; c++)
		fprintf(stderr, "%s=%llu ", c->name,
		    (unsigned long long)*c->value);
	for (const struct sdc_counter_set *s = run->parts;
	    s != NULL && s->name != NULL; s++)
		fprintf(stderr, "%s.%s=%llu ", s->name, s->counters->name,
		    (unsigned long long)*s->counters->value);
	if (run->phase[0] != '\0')
		fprintf(stderr, "(%s) ", run->phase);
	if (final || !redraw)
		fputc('\n', stderr);
	fflush(stderr);
}
