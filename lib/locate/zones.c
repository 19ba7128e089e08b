/* Zones with hysteresis, store visits and the foot traffic they make. */
#include <math.h>

#include "engine.h"
#include "banned.h"

static bool
has_visits(const struct sdc_zone *z)
{
	return z->kind == SDC_ZONE_STORE || z->kind == SDC_ZONE_FOOD_COURT;
}

/*
 * The zone a device at q is in: its current zone until it is more than
 * the hysteresis outside it, so that a boundary does not flicker.
 */
static long
zone_with_hysteresis(const struct sdc_locate *l, const struct sdc_device *d,
    uint32_t floor, struct sdc_point q)
{
	const struct sdc_site *s = &l->site;
	long here = sdc_site_zone_at(s, floor, q);

	if (d->zone < 0 || here == d->zone)
		return here;
	if (s->zones[d->zone].floor == floor &&
	    sdc_polygon_edge_distance(&s->zones[d->zone].polygon, q) <=
	    l->o->hysteresis)
		return d->zone;
	return here;
}

static struct sdc_traffic_cell *
cell_at(struct sdc_locate *l, uint32_t zone, int64_t ms)
{
	return sdc_traffic_cell(&l->traffic, zone,
	    sdc_traffic_interval(&l->traffic, ms));
}

static void
count_unique(struct sdc_locate *l, struct sdc_device *d, uint32_t zone,
    int64_t ms)
{
	int64_t interval = sdc_traffic_interval(&l->traffic, ms);

	if (d->counted[zone] == interval)
		return;
	d->counted[zone] = interval;
	cell_at(l, zone, ms)->unique++;
}

/*
 * Long enough, deep enough and, when --visitor-rssi asks and the zone
 * has a sensor inside, heard loud enough there.
 */
static bool
is_visitor(const struct sdc_locate *l, const struct sdc_visit *v)
{
	const struct sdc_zone *z = &l->site.zones[v->zone];

	if (v->end_ms - v->start_ms < l->o->visitor_dwell_ms ||
	    v->depth < l->o->visitor_depth)
		return false;
	return isnan(l->o->visitor_rssi) || z->nsensors == 0 ||
	    v->peak_rssi >= l->o->visitor_rssi;
}

static void
close_visit(struct sdc_locate *l, struct sdc_device *d, struct sdc_visit *v)
{
	double dwell = (double)(v->end_ms - v->start_ms) / 1000;
	bool visitor = is_visitor(l, v);
	struct sdc_traffic_cell *c;
	uint32_t before = 0;

	v->open = false;
	if (d->history != NULL)
		before = sdc_history_count_visit(d->history, v->zone,
		    v->start_ms);
	c = cell_at(l, v->zone, v->end_ms - 1);
	if (visitor) {
		c->visitors++;
		sdc_traffic_add_dwell(c, dwell);
	} else
		c->passersby++;
	sdc_emit_visit(l, d, v, visitor, before);
}

void
sdc_locate_expire_visits(struct sdc_locate *l, struct sdc_device *d,
    int64_t now_ms)
{
	int i;

	for (i = 0; i < SDC_OPEN_VISITS; i++)
		if (d->visits[i].open &&
		    now_ms - d->visits[i].end_ms > l->o->visit_gap_ms)
			close_visit(l, d, &d->visits[i]);
}

static void
change_zone(struct sdc_locate *l, struct sdc_device *d, long to, int64_t ms)
{
	if (d->zone >= 0) {
		sdc_emit_zone(l, d, (uint32_t)d->zone, ms, "exit");
		if (to >= 0)
			sdc_traffic_transition(&l->traffic,
			    cell_at(l, (uint32_t)d->zone, ms), (uint32_t)to);
	}
	if (to >= 0)
		sdc_emit_zone(l, d, (uint32_t)to, ms, "enter");
	d->zone = to;
}

/* The open visit of zone, else a free slot (closing the stalest). */
static struct sdc_visit *
visit_slot(struct sdc_locate *l, struct sdc_device *d, uint32_t zone)
{
	struct sdc_visit *free_slot = NULL, *stalest = &d->visits[0];
	int i;

	for (i = 0; i < SDC_OPEN_VISITS; i++) {
		struct sdc_visit *v = &d->visits[i];

		if (v->open && v->zone == zone)
			return v;
		if (!v->open && free_slot == NULL)
			free_slot = v;
		if (v->open && v->end_ms < stalest->end_ms)
			stalest = v;
	}
	if (free_slot != NULL)
		return free_slot;
	close_visit(l, d, stalest);
	return stalest;
}

/* The loudest a sensor inside zone heard the device, or -inf. */
static double
peak_inside(const struct sdc_zone *z, const struct sdc_place *p)
{
	double peak = -INFINITY;
	uint32_t i, j;

	for (i = 0; i < p->nheard; i++)
		for (j = 0; j < z->nsensors; j++)
			if (p->heard[i].sensor == z->sensors[j])
				peak = fmax(peak, p->heard[i].mean);
	return peak;
}

static void
visit_window(struct sdc_locate *l, struct sdc_device *d, double depth,
    const struct sdc_place *p)
{
	double peak = peak_inside(&l->site.zones[d->zone], p);
	struct sdc_visit *v;

	sdc_locate_expire_visits(l, d, p->start_ms);
	v = visit_slot(l, d, (uint32_t)d->zone);
	if (!v->open) {
		*v = (struct sdc_visit){ true, (uint32_t)d->zone, p->start_ms,
			p->end_ms, depth, peak };
		return;
	}
	v->end_ms = p->end_ms;
	v->depth = fmax(v->depth, depth);
	v->peak_rssi = fmax(v->peak_rssi, peak);
}

void
sdc_locate_place(struct sdc_locate *l, struct sdc_device *d,
    const struct sdc_place *p)
{
	const struct sdc_site *s = &l->site;
	struct sdc_point q = { p->x, p->y };
	long zone = zone_with_hysteresis(l, d, p->floor, q);
	const struct sdc_zone *z;
	double depth;

	if (zone != d->zone)
		change_zone(l, d, zone, p->start_ms);
	if (zone < 0)
		return;
	z = &s->zones[zone];
	count_unique(l, d, (uint32_t)zone, p->start_ms);
	if (!has_visits(z))
		return;
	depth = sdc_polygon_contains(&z->polygon, q) ?
	    sdc_polygon_edge_distance(&z->polygon, q) : 0;
	visit_window(l, d, depth, p);
}

void
sdc_locate_leave(struct sdc_locate *l, struct sdc_device *d, int64_t ms)
{
	int i;

	for (i = 0; i < SDC_OPEN_VISITS; i++)
		if (d->visits[i].open)
			close_visit(l, d, &d->visits[i]);
	if (d->zone >= 0)
		sdc_emit_zone(l, d, (uint32_t)d->zone, ms, "exit");
	d->zone = -1;
}

static void
traffic_done(void *ctx, struct sdc_traffic_cell *c)
{
	sdc_emit_traffic(ctx, c);
}

/*
 * An interval closes once no window or visit can still add to it: its
 * end, plus the visit gap (a visit is known to have ended only then),
 * has passed the watermark.
 */
void
sdc_locate_close_traffic(struct sdc_locate *l, int64_t watermark)
{
	int64_t settle = l->o->visit_gap_ms > l->o->window_ms ?
	    l->o->visit_gap_ms : l->o->window_ms;
	int64_t before;

	if (watermark >= INT64_MAX / 4)
		before = INT64_MAX;
	else
		before = sdc_traffic_interval(&l->traffic, watermark - settle -
		    1);
	sdc_traffic_close_before(&l->traffic, before, traffic_done, l);
}
