/* Foot traffic cells, open per zone until their interval has passed. */
#include <math.h>
#include <stdlib.h>

#include "traffic.h"
#include "xalloc.h"
#include "banned.h"

void
sdc_traffic_init(struct sdc_traffic *t, uint32_t nzones, int64_t interval_ms)
{
	t->nzones = nzones;
	t->interval_ms = interval_ms;
	t->open = sdc_xcalloc(nzones + 1, sizeof(*t->open));
}

static void
free_cell(struct sdc_traffic_cell *c)
{
	free(c->dwell);
	free(c->to);
	free(c);
}

void
sdc_traffic_release(struct sdc_traffic *t)
{
	uint32_t z;

	for (z = 0; z < t->nzones; z++)
		while (t->open[z] != NULL) {
			struct sdc_traffic_cell *c = t->open[z];

			t->open[z] = c->next;
			free_cell(c);
		}
	free(t->open);
	t->open = NULL;
}

int64_t
sdc_traffic_interval(const struct sdc_traffic *t, int64_t ms)
{
	return ms >= 0 ? ms / t->interval_ms :
	    -((-ms + t->interval_ms - 1) / t->interval_ms);
}

struct sdc_traffic_cell *
sdc_traffic_cell(struct sdc_traffic *t, uint32_t zone, int64_t interval)
{
	struct sdc_traffic_cell **at = &t->open[zone], *c;

	while (*at != NULL && (*at)->interval < interval)
		at = &(*at)->next;
	if (*at != NULL && (*at)->interval == interval)
		return *at;
	c = sdc_xcalloc(1, sizeof(*c));
	c->zone = zone;
	c->interval = interval;
	c->next = *at;
	*at = c;
	return c;
}

void
sdc_traffic_add_dwell(struct sdc_traffic_cell *c, double seconds)
{
	if (c->ndwell == c->cap_dwell) {
		c->cap_dwell = c->cap_dwell ? 2 * c->cap_dwell : 8;
		c->dwell = sdc_xreallocarray(c->dwell, c->cap_dwell,
		    sizeof(*c->dwell));
	}
	c->dwell[c->ndwell++] = seconds;
}

void
sdc_traffic_transition(struct sdc_traffic *t, struct sdc_traffic_cell *c,
    uint32_t to)
{
	if (c->to == NULL)
		c->to = sdc_xcalloc(t->nzones, sizeof(*c->to));
	c->to[to]++;
}

void
sdc_traffic_close_before(struct sdc_traffic *t, int64_t interval,
    void (*done)(void *ctx, struct sdc_traffic_cell *c), void *ctx)
{
	uint32_t z;

	for (z = 0; z < t->nzones; z++)
		while (t->open[z] != NULL && t->open[z]->interval < interval) {
			struct sdc_traffic_cell *c = t->open[z];

			t->open[z] = c->next;
			done(ctx, c);
			free_cell(c);
		}
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear interpolation between the order statistics. */
double
sdc_traffic_quantile(struct sdc_traffic_cell *c, double q)
{
	double pos, frac;
	size_t i;

	if (c->ndwell == 0)
		return NAN;
	qsort(c->dwell, c->ndwell, sizeof(*c->dwell), compare_doubles);
	pos = q * (c->ndwell - 1);
	i = (size_t)pos;
	frac = pos - (double)i;
	if (i + 1 >= c->ndwell)
		return c->dwell[c->ndwell - 1];
	return c->dwell[i] * (1 - frac) + c->dwell[i + 1] * frac;
}
