/*
 * The origins of sdc-ingest's sections in one run: each started on the
 * hub with its own format, the loop run until every one is done or a
 * stop request, then each stopped and the output drained.
 */
#include <stdlib.h>

#include "diag.h"
#include "ingest.h"
#include "loop.h"
#include "sections.h"
#include "xalloc.h"
#include "banned.h"

struct started {
	const struct sdc_ingest_sections *s;
	struct sdc_ingest_hub		  hub;
	struct sdc_ingest		 *ing;		/* one a section */
	void				**state;
	size_t				  n;		/* started so far */
};

static void
stop_all(struct started *st)
{
	for (size_t k = 0; k < st->n; k++) {
		st->s->v[k].origin->stop(st->state[k]);
		st->state[k] = NULL;
	}
	st->n = 0;
	sdc_loop_drain(st->hub.loop);
}

/* A stop acted on in the middle of a payload (a whole file): as at the end. */
static void
stop_in_payload(struct sdc_run *run, void *ctx)
{
	(void)run;
	stop_all(ctx);
}

static void
start_all(struct started *st)
{
	const struct sdc_ingest_sections *s = st->s;

	for (size_t k = 0; k < s->n; k++)
		sdc_ingest_init(&st->ing[k], &st->hub, s->v[k].format,
		    s->v[k].format_opts, s->v[k].origin->name);
	for (size_t k = 0; k < s->n; k++) {
		const struct sdc_ingest_section *sec = &s->v[k];

		sdc_set_context(sdc_ingest_section_context(s, sec));
		st->state[k] = sec->origin->start(&st->ing[k],
		    sdc_origin_opts_get(&sec->oo, sec->origin), sec->argc,
		    sec->argv);
		st->n = k + 1;
	}
	sdc_set_context(NULL);
}

int
sdc_ingest_sections_run(const struct sdc_ingest_sections *s,
    const struct sdc_options *opt, const struct sdc_ingest_options *io)
{
	struct started st = { .s = s };
	struct sdc_run run;
	int status;

	st.ing = sdc_xcalloc(s->n, sizeof(*st.ing));
	st.state = sdc_xcalloc(s->n, sizeof(*st.state));
	sdc_run_start(&run, sdc_progname(), opt, NULL);
	sdc_ingest_hub_init(&st.hub, &run, io);
	start_all(&st);
	run.on_stop = stop_in_payload;
	run.stop_ctx = &st;
	if (!opt->dry_run)
		sdc_loop_run(st.hub.loop);
	run.on_stop = NULL;
	stop_all(&st);
	status = sdc_run_finish(&run);	/* the metrics hold the origins' counts */
	sdc_ingest_hub_release(&st.hub);
	free(st.state);
	free(st.ing);
	return status;
}
