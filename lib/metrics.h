#ifndef SDC_METRICS_H
#define SDC_METRICS_H
/* The counts of a run, as JSON (--metrics), on stderr, or live. */
#include <stdbool.h>
#include <stdio.h>

struct sdc_run;

/* Write the counts to path atomically; false (with a warning) on failure. */
bool	sdc_metrics_write(const struct sdc_run *run, const char *path);
void	sdc_metrics_print(const struct sdc_run *run, FILE *fp);
/* Redraw the one-line status on stderr; final ends the line. */
void	sdc_progress_draw(const struct sdc_run *run, bool final);

#endif
