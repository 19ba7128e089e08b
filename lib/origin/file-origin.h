#ifndef SDC_FILE_ORIGIN_H
#define SDC_FILE_ORIGIN_H
/* The file origin's options, and its directory watch (file-watch.c). */
#include <stdbool.h>

struct sdc_ingest;

struct sdc_file_opts {
	const char	*watch;		/* --watch DIR, or NULL */
	const char	*pattern;	/* of the names followed in it */
	const char	*state;		/* offsets file, or NULL */
	bool		 from_start;	/* files there already: from 0 */
};

struct sdc_file_watch;

/* Follow opt->watch on ing's loop (exit 3 when it cannot be watched). */
struct sdc_file_watch *sdc_file_watch_start(struct sdc_ingest *ing,
	    const struct sdc_file_opts *opt);
/* Stop following; the offsets are saved.  w may be NULL. */
void	sdc_file_watch_stop(struct sdc_file_watch *w);

#endif
