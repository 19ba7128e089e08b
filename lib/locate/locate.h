#ifndef SDC_LOCATE_H
#define SDC_LOCATE_H
/*
 * sdc-locate's engine: sightings in, positions, zone events, visits,
 * foot traffic and device summaries out, as records of a run.  See
 * sdc-locate(1) for what each means.
 */
#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "run.h"

enum {
	SDC_EMIT_POSITIONS = 1, SDC_EMIT_ZONES = 2, SDC_EMIT_VISITS = 4,
	SDC_EMIT_TRAFFIC = 8, SDC_EMIT_DEVICES = 16, SDC_EMIT_ALL = 31
};

struct sdc_locate_options {
	const char		*site_path;
	const char		*state_path;	/* NULL: no recurring visits */
	const char		*paths[5];	/* ts, sensor, device, rssi, radio */
	const uint8_t		*key;		/* the HMAC key of device ids */
	size_t			 key_len;
	unsigned		 emit;
	enum sdc_estimator	 estimator;
	bool			 tracking;
	bool			 drop_random_macs;
	int64_t			 window_ms, lateness_ms, visit_gap_ms;
	int64_t			 traffic_ms, idle_ms, visitor_dwell_ms;
	double			 visitor_depth, hysteresis;
	double			 visitor_rssi;	/* NAN: no such rule */
	double			 forget_days;
	double			 state_interval;	/* wall seconds */
};

struct sdc_locate;

void	sdc_locate_options_init(struct sdc_locate_options *o);
/*
 * Load the site and the state file, before any output: a site that
 * does not make sense ends the program with status 2, a state file
 * that cannot be used with status 3.  o must outlive the engine.
 */
struct sdc_locate *sdc_locate_open(const struct sdc_locate_options *o);
/* Read the record streams at paths ("-": stdin) and emit into run. */
void	sdc_locate_run(struct sdc_locate *l, struct sdc_run *run,
	    const char *const *paths);
void	sdc_locate_free(struct sdc_locate *l);

#endif
