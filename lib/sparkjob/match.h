#ifndef SDC_SPARKJOB_MATCH_H
#define SDC_SPARKJOB_MATCH_H
/*
 * Which events launch an application: --on TYPE (any of those given,
 * "*" for every type; file-closed and object-written when none is) and
 * --when CONDITION (all of those given: condition.h).
 */
#include <stdbool.h>

#include "record.h"

struct sdc_event_match;

struct sdc_event_match *sdc_event_match_new(void);
void	sdc_event_match_on(struct sdc_event_match *m, const char *type);
/* A usage error when cond is not a condition. */
void	sdc_event_match_when(struct sdc_event_match *m, const char *cond);
bool	sdc_event_match(const struct sdc_event_match *m,
	    const struct sdc_record *event);
void	sdc_event_match_free(struct sdc_event_match *m);

#endif
