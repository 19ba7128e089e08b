#ifndef SDC_LOCATE_ENGINE_H
#define SDC_LOCATE_ENGINE_H
/* The parts of sdc-locate's engine, and the state they share. */
#include <stdint.h>

#include "device.h"
#include "history.h"
#include "locate.h"
#include "sighting.h"
#include "site.h"
#include "traffic.h"

struct sdc_locate {
	struct sdc_run				*run;
	const struct sdc_locate_options		*o;
	struct sdc_site				 site;
	struct sdc_model			 model;
	struct sdc_sighting_paths		 paths;
	struct sdc_devid			 devid;
	struct sdc_device_table			 devices;
	struct sdc_history_table		 history;
	struct sdc_traffic			 traffic;
	struct sdc_record			 in, out;
	struct sdc_heard			*heard;
	int64_t					 max_ts, watermark;
	int64_t					 next_sweep;
	int64_t					 now_ms;	/* of the wall clock */
	double					 saved_at;	/* uptime */
	uint64_t				 late, dropped_random;
	uint64_t				 unknown_sensor;
	char					 first_unknown[320];
	char					 id[96];	/* of the record out */
	const char				*input_name;	/* being read */
};

/* zones.c: a window's fix through zones, visits and traffic. */
struct sdc_place {
	uint32_t		 floor;
	double			 x, y;
	int64_t			 start_ms, end_ms;	/* the window */
	const struct sdc_heard	*heard;			/* in it */
	uint32_t		 nheard;
};

void	sdc_locate_place(struct sdc_locate *l, struct sdc_device *d,
	    const struct sdc_place *p);
/* Close the device's visits that no window has extended for the gap. */
void	sdc_locate_expire_visits(struct sdc_locate *l, struct sdc_device *d,
	    int64_t now_ms);
/* The device leaves its zone at ms (it went idle). */
void	sdc_locate_leave(struct sdc_locate *l, struct sdc_device *d,
	    int64_t ms);
void	sdc_locate_close_traffic(struct sdc_locate *l, int64_t watermark);

/* emit.c: the records out. */
void	sdc_emit_position(struct sdc_locate *l, const struct sdc_device *d,
	    int64_t start_ms, uint32_t floor, double x, double y,
	    double uncertainty, const struct sdc_fix *f, uint32_t sightings);
void	sdc_emit_zone(struct sdc_locate *l, const struct sdc_device *d,
	    uint32_t zone, int64_t ms, const char *event);
void	sdc_emit_visit(struct sdc_locate *l, const struct sdc_device *d,
	    const struct sdc_visit *v, bool visitor, uint32_t store_before);
void	sdc_emit_traffic(struct sdc_locate *l, struct sdc_traffic_cell *c);
void	sdc_emit_device(struct sdc_locate *l, const struct sdc_device *d);

#endif
