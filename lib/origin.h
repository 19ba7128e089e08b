#ifndef SDC_ORIGIN_H
#define SDC_ORIGIN_H
/*
 * Origins: where sdc-ingest takes payloads from (files, a TCP listener,
 * later UDP, HTTP, MQTT...).  Each lives in lib/origin/NAME*.c and is
 * one entry of sdc_origins (origin/origins.c), as the formats are in
 * format.h: its own options (a table like the formats'), the size,
 * init and release of their block, and start and stop hooks.
 *
 * start opens what the origin reads or listens on and watches it on
 * the loop of ing (origin/ingest.h), checking its options and operands
 * first (a bad one is a usage error); each payload it receives goes to
 * sdc_ingest_payload, with where it came from.  It registers with
 * sdc_loop_on_pressure to stop taking data while the output is full.
 * A client origin (a broker, a server) that loses its peer tries again
 * after the waits of retry.h (policy ing->opt.retry, the --retry-*
 * options), counting each in ing->n.retries;
 * one that acknowledges what it took (MQTT's PUBACK) does so once
 * sdc_loop_on_written says the records are out (origin/loop.h).
 * Several origins may run in one process (sdc-ingest's sections,
 * origin/sections.h), each started with its own ing on one loop: an
 * origin keeps what it needs in the state start returns, and calls
 * sdc_ingest_done when it has nothing more to give.
 * Under --dry-run it binds or opens, and the loop never runs.  stop
 * stops taking data (a stop request, or the end of the run) and frees
 * what start made; what was taken is written before the program ends.
 *
 * Adding an origin: lib/origin/NAME.c ending in one
 * "const struct sdc_origin sdc_origin_NAME", a line in origins.c and
 * Makefile.am, its section in man/sdc-ingest.1 and its options in the
 * completions, and tests against a real peer.
 */
#include <stddef.h>

#include "plugin-options.h"

struct sdc_ingest;

struct sdc_origin {
	const char	*name;
	const char	*summary;
	const char	*operands;	/* "[FILE ...]", for the help; or NULL */
	/* Its options, ending with a zeroed entry; NULL when none. */
	const struct sdc_plugin_option *options;
	size_t		 opts_size;
	void		(*opts_init)(void *opts);
	void		(*opts_release)(void *opts);	/* may be NULL */
	/* The origin's state, which stop frees. */
	void		*(*start)(struct sdc_ingest *ing, const void *opts,
			    int argc, char *const *argv);
	void		(*stop)(void *state);
};

extern const struct sdc_origin *const sdc_origins[];	/* NULL-ended */
const struct sdc_origin *sdc_origin_find(const char *name);
/* "file, tcp, ..." in dst; the length it needed, as snprintf. */
size_t	sdc_origin_names(char *dst, size_t len);

#endif
