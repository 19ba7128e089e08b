#ifndef SDC_LOCATE_TRACK_H
#define SDC_LOCATE_TRACK_H
/*
 * A walking shopper's track: a Kalman filter on position and velocity
 * (a velocity that fades, as shoppers stop and start), fed one window
 * fix at a time, kept on its floor's outline, changing floor only when
 * two fixes in a row say so.
 */
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct sdc_track {
	bool		started;
	uint32_t	floor;
	double		s[4];		/* x, y, vx, vy */
	double		p[4][4];
	int64_t		at_ms;		/* time of the last fix */
	uint32_t	other_floor;	/* a floor the last fix said */
	uint32_t	other_count;
};

/* The track's prediction for t_ms, without changing it. */
void	sdc_track_predict(const struct sdc_track *t, int64_t t_ms, double *x,
	    double *y);
/* Take the fix made at t_ms. */
void	sdc_track_update(struct sdc_track *t, const struct sdc_site *s,
	    const struct sdc_fix *f, int64_t t_ms);
/* The 1-sigma radius of the position: sqrt of the covariance's trace. */
double	sdc_track_uncertainty(const struct sdc_track *t);

#endif
