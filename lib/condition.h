#ifndef SDC_CONDITION_H
#define SDC_CONDITION_H
/*
 * Conditions on a record, all of which must hold (sdc-sparkjob's and
 * sdc-sink's --when).  A condition is
 *	PATH		the field is there and not null
 *	PATH==TEXT, PATH!=TEXT	its value as text is, or is not, TEXT
 *	PATH=~RE, PATH!~RE	it matches, or not, the POSIX extended RE
 *	PATH<N, <=, >, >=	it is a number and compares so with N
 * PATH a field path (/filename), or attr:NAME for a header attribute.
 * A missing, null or container subject satisfies only != and !~.
 * The set owns the conditions' parsed forms; records are only read.
 */
#include <stdbool.h>
#include <stddef.h>

#include "record.h"

struct sdc_conditions;

struct sdc_conditions *sdc_conditions_new(void);
/* A usage error, naming --when, when text is not a condition. */
void	sdc_conditions_add(struct sdc_conditions *c, const char *text);
size_t	sdc_conditions_count(const struct sdc_conditions *c);
/* Whether every condition holds for r (true when there is none). */
bool	sdc_conditions_hold(const struct sdc_conditions *c,
	    const struct sdc_record *r);
void	sdc_conditions_free(struct sdc_conditions *c);

#endif
