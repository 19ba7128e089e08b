/* The records sdc-locate writes, one shape per kind. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "banned.h"

#define KIND_ATTR	"sdc-locate.kind"

/* A new output record of kind, its id "kind:device-prefix:ms". */
static struct sdc_field *
begin(struct sdc_locate *l, const char *kind, const char *who, int64_t ms)
{
	struct sdc_record *r = &l->out;
	int n = snprintf(l->id, sizeof l->id, "%s:%.16s:%lld", kind, who,
	    (long long)ms);

	sdc_run_new_record(l->run, r, l->id, (size_t)n);
	sdc_record_set_attr(r, KIND_ATTR, kind);
	sdc_field_container(&r->root, SDC_LIST_MAP);
	sdc_field_borrow(sdc_map_append(&r->arena, &r->root, "kind", 4),
	    SDC_STRING, kind, strlen(kind));
	return &r->root;
}

static struct sdc_field *
slot(struct sdc_locate *l, struct sdc_field *map, const char *key)
{
	return sdc_map_append(&l->out.arena, map, key, strlen(key));
}

static void
put_text(struct sdc_locate *l, struct sdc_field *m, const char *key,
    const char *v, size_t n)
{
	sdc_field_copy_bytes(&l->out.arena, slot(l, m, key), SDC_STRING, v, n);
}

static void
put_str(struct sdc_locate *l, struct sdc_field *m, const char *key,
    const char *v)
{
	put_text(l, m, key, v, strlen(v));
}

static void
put_long(struct sdc_locate *l, struct sdc_field *m, const char *key,
    int64_t v)
{
	sdc_field_int(slot(l, m, key), SDC_LONG, v);
}

static void
put_time(struct sdc_locate *l, struct sdc_field *m, const char *key,
    int64_t ms)
{
	sdc_field_int(slot(l, m, key), SDC_DATETIME, ms * 1000);
}

/* Rounded to a millimetre or a thousandth: no false precision. */
static void
put_double(struct sdc_locate *l, struct sdc_field *m, const char *key,
    double v)
{
	struct sdc_field *f = slot(l, m, key);

	if (isfinite(v))
		sdc_field_double(f, round(v * 1000) / 1000 + 0.0);
	else
		sdc_field_null(f, SDC_DOUBLE);
}

static void
put_bool(struct sdc_locate *l, struct sdc_field *m, const char *key, bool v)
{
	sdc_field_bool(slot(l, m, key), v);
}

static void
put_device(struct sdc_locate *l, struct sdc_field *m,
    const struct sdc_device *d)
{
	put_text(l, m, "device", d->hex, SDC_DEVID_HEX);
}

static void
put_zone(struct sdc_locate *l, struct sdc_field *m, const char *key,
    long zone)
{
	if (zone >= 0)
		put_str(l, m, key, l->site.zones[zone].id);
	else
		sdc_field_null(slot(l, m, key), SDC_STRING);
}

static void
finish(struct sdc_locate *l)
{
	sdc_run_emit(l->run, &l->out);
}

void
sdc_emit_position(struct sdc_locate *l, const struct sdc_device *d,
    int64_t start_ms, uint32_t floor, double x, double y, double uncertainty,
    const struct sdc_fix *f, uint32_t sightings)
{
	struct sdc_field *m;

	if (!(l->o->emit & SDC_EMIT_POSITIONS))
		return;
	m = begin(l, "position", d->hex, start_ms);
	put_device(l, m, d);
	put_time(l, m, "ts", start_ms);
	put_time(l, m, "window_end", start_ms + l->o->window_ms);
	put_double(l, m, "x", x);
	put_double(l, m, "y", y);
	put_long(l, m, "floor", l->site.floors[floor].id);
	put_double(l, m, "uncertainty", uncertainty);
	put_long(l, m, "sensors", f->sensors);
	put_long(l, m, "sightings", sightings);
	put_zone(l, m, "zone", d->zone);
	put_bool(l, m, "random_mac", d->random_mac);
	finish(l);
}

void
sdc_emit_zone(struct sdc_locate *l, const struct sdc_device *d, uint32_t zone,
    int64_t ms, const char *event)
{
	struct sdc_field *m;

	if (!(l->o->emit & SDC_EMIT_ZONES))
		return;
	m = begin(l, "zone", d->hex, ms);
	put_device(l, m, d);
	put_time(l, m, "ts", ms);
	put_zone(l, m, "zone", zone);
	put_str(l, m, "zone_kind", sdc_zone_kind_name(l->site.zones[zone].kind));
	put_str(l, m, "event", event);
	finish(l);
}

void
sdc_emit_visit(struct sdc_locate *l, const struct sdc_device *d,
    const struct sdc_visit *v, bool visitor, uint32_t store_before)
{
	struct sdc_field *m;

	if (!(l->o->emit & SDC_EMIT_VISITS))
		return;
	m = begin(l, "visit", d->hex, v->start_ms);
	put_device(l, m, d);
	put_zone(l, m, "zone", v->zone);
	put_str(l, m, "zone_name", l->site.zones[v->zone].name);
	put_time(l, m, "start", v->start_ms);
	put_time(l, m, "end", v->end_ms);
	put_double(l, m, "dwell", (double)(v->end_ms - v->start_ms) / 1000);
	put_str(l, m, "class", visitor ? "visitor" : "passerby");
	put_double(l, m, "peak_rssi", v->peak_rssi);
	put_bool(l, m, "returning", d->returning);
	put_long(l, m, "store_visits_before", store_before);
	put_long(l, m, "center_visits_before", d->center_before);
	finish(l);
}

static void
put_transitions(struct sdc_locate *l, struct sdc_field *m,
    const struct sdc_traffic_cell *c)
{
	struct sdc_field *t = slot(l, m, "transitions");
	uint32_t z;

	sdc_field_container(t, SDC_LIST_MAP);
	for (z = 0; c->to != NULL && z < l->site.nzones; z++)
		if (c->to[z] > 0) {
			sdc_field_int(slot(l, t, l->site.zones[z].id), SDC_LONG,
			    c->to[z]);
			t = sdc_map_get(m, "transitions", 11);
		}
}

void
sdc_emit_traffic(struct sdc_locate *l, struct sdc_traffic_cell *c)
{
	int64_t start = c->interval * l->traffic.interval_ms;
	struct sdc_field *m;

	if (!(l->o->emit & SDC_EMIT_TRAFFIC))
		return;
	m = begin(l, "traffic", l->site.zones[c->zone].id, start);
	put_zone(l, m, "zone", c->zone);
	put_str(l, m, "zone_name", l->site.zones[c->zone].name);
	put_time(l, m, "interval_start", start);
	put_time(l, m, "interval_end", start + l->traffic.interval_ms);
	put_long(l, m, "visitors", c->visitors);
	put_long(l, m, "passersby", c->passersby);
	put_long(l, m, "unique_devices", c->unique);
	put_double(l, m, "dwell_median", sdc_traffic_quantile(c, 0.5));
	put_double(l, m, "dwell_p90", sdc_traffic_quantile(c, 0.9));
	put_transitions(l, m, c);
	put_bool(l, m, "open", sdc_site_open_at(&l->site, start));
	finish(l);
}

void
sdc_emit_device(struct sdc_locate *l, const struct sdc_device *d)
{
	struct sdc_field *m;

	if (!(l->o->emit & SDC_EMIT_DEVICES))
		return;
	m = begin(l, "device", d->hex, d->first_ms);
	put_device(l, m, d);
	put_time(l, m, "first_seen", d->first_ms);
	put_time(l, m, "last_seen", d->last_ms);
	put_long(l, m, "windows", (int64_t)d->windows);
	put_double(l, m, "rssi_offset", d->offset);
	put_double(l, m, "rssi_offset_sigma", sqrt(d->offset_var));
	put_bool(l, m, "random_mac", d->random_mac);
	put_bool(l, m, "returning", d->returning);
	put_long(l, m, "center_visits_before", d->center_before);
	finish(l);
}
