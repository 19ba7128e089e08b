#include "diag.h"
#include "file-origin.h"

struct sdc_file_watch *
sdc_file_watch_start(struct sdc_ingest *ing, const struct sdc_file_opts *opt)
{
	(void)ing;
	sdc_errx(SDC_EXIT_USAGE, "%s: --watch is not done yet", opt->watch);
}

void
sdc_file_watch_stop(struct sdc_file_watch *w)
{
	(void)w;
}
