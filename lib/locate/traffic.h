#ifndef SDC_LOCATE_TRAFFIC_H
#define SDC_LOCATE_TRAFFIC_H
/*
 * Foot traffic per zone per interval of event time: visitors and
 * passersby (by the interval their visit ended in), unique devices,
 * the visitors' dwell times and the transitions out to other zones.
 * The table owns its cells; a closed cell is handed out, then freed.
 */
#include <stdint.h>

struct sdc_traffic_cell {
	uint32_t		 zone;
	int64_t			 interval;	/* start / interval_ms */
	uint32_t		 visitors, passersby, unique;
	double			*dwell;		/* seconds, visitors only */
	uint32_t		 ndwell, cap_dwell;
	uint32_t		*to;		/* per zone, or NULL */
	struct sdc_traffic_cell	*next;
};

struct sdc_traffic {
	uint32_t		  nzones;
	int64_t			  interval_ms;
	struct sdc_traffic_cell	**open;		/* per zone, oldest first */
};

void	sdc_traffic_init(struct sdc_traffic *t, uint32_t nzones,
	    int64_t interval_ms);
void	sdc_traffic_release(struct sdc_traffic *t);
int64_t	sdc_traffic_interval(const struct sdc_traffic *t, int64_t ms);
struct sdc_traffic_cell *sdc_traffic_cell(struct sdc_traffic *t,
	    uint32_t zone, int64_t interval);
void	sdc_traffic_add_dwell(struct sdc_traffic_cell *c, double seconds);
void	sdc_traffic_transition(struct sdc_traffic *t,
	    struct sdc_traffic_cell *c, uint32_t to);
/* Hand each cell of intervals before interval to done, and free it. */
void	sdc_traffic_close_before(struct sdc_traffic *t, int64_t interval,
	    void (*done)(void *ctx, struct sdc_traffic_cell *c),
	    void *ctx);
/* The q quantile (0..1) of the cell's dwell times; sorts them. */
double	sdc_traffic_quantile(struct sdc_traffic_cell *c, double q);

#endif
