#ifndef SDC_LOCATE_MODEL_H
#define SDC_LOCATE_MODEL_H
/*
 * One window's position from the RSSI its sensors heard, under the
 * log-distance path-loss model with log-normal shadowing that
 * sdc-locate(1) describes: a maximum-likelihood fit (with censoring by
 * the sensors that heard nothing, and the device's transmit offset as
 * a third unknown), a weighted centroid, or linear least squares.
 */
#include <stdbool.h>
#include <stdint.h>

#include "site.h"

enum sdc_estimator { SDC_EST_ML, SDC_EST_CENTROID, SDC_EST_LLS };

/* One sighting of the window. */
struct sdc_obs {
	uint16_t	sensor;
	uint8_t		radio;
	float		rssi;
};

/* What one sensor heard on one radio in the window, outliers removed. */
struct sdc_heard {
	uint16_t	sensor;
	uint8_t		radio;
	uint32_t	k;		/* sightings kept */
	double		mean;		/* their mean RSSI */
};

/* Aggregate obs (sorted in place) into heard; returns how many. */
uint32_t sdc_heard_from_obs(const struct sdc_site *s, struct sdc_obs *obs,
	    uint32_t n, struct sdc_heard *heard);

struct sdc_fix_input {
	const struct sdc_heard	*heard;
	uint32_t		 nheard;
	double			 offset, offset_var;	/* the prior, dB */
	bool			 has_hint;		/* a predicted position */
	uint32_t		 hint_floor;
	double			 hint_x, hint_y;
};

struct sdc_fix {
	double		x, y;
	uint32_t	floor;
	double		cov[2][2];	/* of x and y, m^2 */
	double		offset, offset_var;	/* posterior (ml) */
	bool		fitted;		/* ml or lls, not a centroid */
	uint32_t	sensors;	/* distinct sensors heard */
};

/* The censoring terms on a grid of z, per radio (sdc_model_init). */
struct sdc_miss_table;

/* Scratch space for the fits, sized for a site. */
struct sdc_model {
	const struct sdc_site	*site;
	enum sdc_estimator	 estimator;
	struct sdc_model_term	*terms;
	uint32_t		 cap;
	uint8_t			*heard_mark;
	uint32_t		*silent;
	struct sdc_miss_table	*miss[SDC_RADIOS_MAX];
};

void	sdc_model_init(struct sdc_model *m, const struct sdc_site *s,
	    enum sdc_estimator e);
void	sdc_model_release(struct sdc_model *m);
/* false when nothing was heard. */
bool	sdc_model_fix(struct sdc_model *m, const struct sdc_fix_input *in,
	    struct sdc_fix *out);
/* The mean RSSI the model expects at sensor from (x, y) on floor. */
double	sdc_model_expected(const struct sdc_site *s, uint32_t sensor,
	    uint32_t radio, double x, double y, uint32_t floor);

#endif
