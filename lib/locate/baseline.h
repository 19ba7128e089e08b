#ifndef SDC_LOCATE_BASELINE_H
#define SDC_LOCATE_BASELINE_H
/*
 * The simple estimators, for windows of fewer than three sensors and to
 * compare the maximum-likelihood fit with (--estimator).
 */
#include <stdbool.h>

#include "model.h"

/*
 * The centroid of the sensors weighted by the inverse square of the
 * distance their RSSI gives, on the loudest floor; its covariance the
 * weighted spread of the sensors plus a quarter of their spacing.
 */
void	sdc_centroid_fix(const struct sdc_site *s,
	    const struct sdc_fix_input *in, struct sdc_fix *out);
/* Linear least squares on squared distances: false when degenerate. */
bool	sdc_lls_fix(const struct sdc_site *s, const struct sdc_fix_input *in,
	    struct sdc_fix *out);

#endif
