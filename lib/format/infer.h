#ifndef SDC_INFER_H
#define SDC_INFER_H
/*
 * Types from text, for readers whose values are all strings (CSV
 * with --infer-types): integers that fit 64 bits become LONG, other
 * numbers in JSON number syntax DOUBLE (DECIMAL when exact), true and
 * false in any case BOOLEAN, and everything else, the empty string
 * included, stays a STRING.  Leading zeros ("007"), a plus sign and
 * surrounding spaces keep a value a string, so that nothing that
 * reads as a code or an identifier changes its text.
 */
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "field.h"

enum sdc_infer_kind {
	SDC_INFER_STRING,
	SDC_INFER_INTEGER,	/* -?(0|[1-9][0-9]*) */
	SDC_INFER_NUMBER,	/* with a fraction or an exponent */
	SDC_INFER_BOOLEAN
};

enum sdc_infer_kind sdc_infer_kind(const char *p, size_t n);
/* Set f from the text p[0..n), copying into a what it keeps. */
void	sdc_infer_field(struct sdc_arena *a, struct sdc_field *f,
	    const char *p, size_t n, bool exact_decimals);

#endif
