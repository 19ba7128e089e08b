/* A site from its JSON file, checked. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "site.h"
#include "xalloc.h"
#include "banned.h"

/* Where a problem is, for messages: "zones[3] 'z-food'". */
struct loader {
	struct sdc_site	*s;
	const char	*path;
	char		*err;
	size_t		 errlen;
	char		 where[128];
};

static int
fail(struct loader *l, const char *fmt, ...) SDC_PRINTF(2, 3);

static int
fail(struct loader *l, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s: %s%s%s", l->path, l->where,
	    l->where[0] != '\0' ? ": " : "", msg);
	return -1;
}

static void
at(struct loader *l, const char *list, size_t i, const char *id)
{
	if (id != NULL)
		snprintf(l->where, sizeof l->where, "%s[%zu] '%s'", list, i,
		    id);
	else
		snprintf(l->where, sizeof l->where, "%s[%zu]", list, i);
}

static int
number(struct loader *l, json_t *o, const char *key, double *v, bool need)
{
	json_t *j = json_object_get(o, key);

	if (j == NULL && !need)
		return 0;
	if (j == NULL)
		return fail(l, "no \"%s\"", key);
	if (!json_is_number(j) || !isfinite(json_number_value(j)))
		return fail(l, "\"%s\" is not a number", key);
	*v = json_number_value(j);
	return 0;
}

static int
string(struct loader *l, json_t *o, const char *key, char **v, bool need)
{
	json_t *j = json_object_get(o, key);

	if (j == NULL && !need)
		return 0;
	if (j == NULL)
		return fail(l, "no \"%s\"", key);
	if (!json_is_string(j) || json_string_length(j) == 0)
		return fail(l, "\"%s\" is not a non-empty string", key);
	*v = sdc_xstrdup(json_string_value(j));
	return 0;
}

static int
point(struct loader *l, json_t *j, struct sdc_point *p, const char *what)
{
	if (!json_is_array(j) || json_array_size(j) != 2 ||
	    !json_is_number(json_array_get(j, 0)) ||
	    !json_is_number(json_array_get(j, 1)))
		return fail(l, "%s is not a point [x, y]", what);
	p->x = json_number_value(json_array_get(j, 0));
	p->y = json_number_value(json_array_get(j, 1));
	if (!isfinite(p->x) || !isfinite(p->y))
		return fail(l, "%s is not a point [x, y]", what);
	return 0;
}

static int
polygon(struct loader *l, json_t *o, const char *key, struct sdc_polygon *p)
{
	json_t *j = json_object_get(o, key);
	char what[64];
	size_t i, e1, e2;

	if (j == NULL)
		return fail(l, "no \"%s\"", key);
	if (!json_is_array(j) || json_array_size(j) < 3)
		return fail(l, "\"%s\" is not a list of 3 or more points", key);
	p->n = json_array_size(j);
	p->v = sdc_xcalloc(p->n, sizeof(*p->v));
	for (i = 0; i < p->n; i++) {
		snprintf(what, sizeof what, "%s[%zu]", key, i);
		if (point(l, json_array_get(j, i), &p->v[i], what) != 0)
			return -1;
	}
	sdc_polygon_bound(p);
	if (sdc_polygon_self_intersects(p, &e1, &e2))
		return fail(l, "\"%s\" crosses itself: edges %zu and %zu meet",
		    key, e1, e2);
	if (sdc_polygon_area(p) <= 0)
		return fail(l, "\"%s\" has no area", key);
	return 0;
}

static json_t *
list(struct loader *l, json_t *root, const char *key, bool need, int *rc)
{
	json_t *j = json_object_get(root, key);

	*rc = 0;
	l->where[0] = '\0';
	if (j == NULL && need)
		*rc = fail(l, "no \"%s\"", key);
	else if (j != NULL && !json_is_array(j))
		*rc = fail(l, "\"%s\" is not a list", key);
	else if (j != NULL && need && json_array_size(j) == 0)
		*rc = fail(l, "\"%s\" is empty", key);
	return j;
}

/* ---------------------------------------------------------- radios */

static const struct sdc_radio default_radios[] = {
	{ "wifi", -45, 2.8, 6, -95, 0.1 },
	{ "ble", -60, 2.5, 6, -100, 0.1 },
};

static int
add_radio(struct loader *l, const char *name, const struct sdc_radio *like)
{
	struct sdc_site *s = l->s;
	struct sdc_radio *r;

	if (s->nradios == SDC_RADIOS_MAX)
		return fail(l, "more than %d radios", SDC_RADIOS_MAX);
	r = &s->radios[s->nradios];
	*r = *like;
	r->name = sdc_xstrdup(name);
	sdc_names_add(&s->radio_names, r->name, s->nradios++);
	return 0;
}

static int
radio(struct loader *l, const char *name, json_t *o)
{
	struct sdc_site *s = l->s;
	struct sdc_radio *r;
	long i = sdc_names_find(&s->radio_names, name, strlen(name));

	snprintf(l->where, sizeof l->where, "radios '%s'", name);
	if (!json_is_object(o))
		return fail(l, "not an object");
	if (i < 0 && add_radio(l, name, &default_radios[0]) != 0)
		return -1;
	r = &s->radios[i < 0 ? s->nradios - 1 : (size_t)i];
	if (number(l, o, "rssi_1m", &r->rssi_1m, false) != 0 ||
	    number(l, o, "path_loss_exponent", &r->exponent, false) != 0 ||
	    number(l, o, "shadowing_db", &r->shadowing, false) != 0 ||
	    number(l, o, "sensitivity", &r->sensitivity, false) != 0 ||
	    number(l, o, "miss_probability", &r->miss, false) != 0)
		return -1;
	if (!(r->exponent >= 1 && r->exponent <= 6))
		return fail(l, "path_loss_exponent %g is outside 1..6",
		    r->exponent);
	if (!(r->shadowing >= 0.5 && r->shadowing <= 20))
		return fail(l, "shadowing_db %g is outside 0.5..20",
		    r->shadowing);
	if (!(r->miss >= 0 && r->miss < 1))
		return fail(l, "miss_probability %g is outside [0, 1)",
		    r->miss);
	return 0;
}

static int
radios(struct loader *l, json_t *root)
{
	json_t *o = json_object_get(root, "radios"), *v;
	const char *name;
	size_t i;

	for (i = 0; i < sizeof default_radios / sizeof *default_radios; i++)
		if (add_radio(l, default_radios[i].name, &default_radios[i]) != 0)
			return -1;
	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(l, "\"radios\" is not an object");
	json_object_foreach(o, name, v)
		if (radio(l, name, v) != 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------- floors */

static int
floor_entry(struct loader *l, json_t *o, size_t i)
{
	struct sdc_floor *f = &l->s->floors[i];
	json_t *id = json_object_get(o, "id");
	double h = 0;
	size_t k;

	at(l, "floors", i, NULL);
	if (!json_is_object(o))
		return fail(l, "not an object");
	if (!json_is_integer(id))
		return fail(l, "\"id\" is not an integer");
	f->id = (long)json_integer_value(id);
	for (k = 0; k < i; k++)
		if (l->s->floors[k].id == f->id)
			return fail(l, "floor id %ld repeats floors[%zu]",
			    f->id, k);
	if (string(l, o, "name", &f->name, false) != 0 ||
	    number(l, o, "height", &h, false) != 0)
		return -1;
	f->height = json_object_get(o, "height") != NULL ? h : 4.5 * f->id;
	return polygon(l, o, "outline", &f->outline);
}

static int
floors(struct loader *l, json_t *root)
{
	int rc;
	json_t *j = list(l, root, "floors", true, &rc);
	size_t i;

	if (rc != 0)
		return rc;
	l->s->nfloors = (uint32_t)json_array_size(j);
	l->s->floors = sdc_xcalloc(l->s->nfloors, sizeof(*l->s->floors));
	for (i = 0; i < l->s->nfloors; i++)
		if (floor_entry(l, json_array_get(j, i), i) != 0)
			return -1;
	return 0;
}

static int
floor_of(struct loader *l, json_t *o, uint32_t *floor)
{
	json_t *j = json_object_get(o, "floor");
	long f;

	if (j == NULL && l->s->nfloors == 1) {
		*floor = 0;
		return 0;
	}
	if (!json_is_integer(j))
		return fail(l, "\"floor\" is not a floor id");
	f = sdc_site_floor_index(l->s, (long)json_integer_value(j));
	if (f < 0)
		return fail(l, "floor %lld is not in \"floors\"",
		    (long long)json_integer_value(j));
	*floor = (uint32_t)f;
	return 0;
}

/* --------------------------------------------------------- sensors */

static int
sensor_radio(struct loader *l, struct sdc_sensor *se, json_t *j)
{
	long r;

	if (!json_is_string(j))
		return fail(l, "\"radio\" is not a name or a list of names");
	r = sdc_names_find(&l->s->radio_names, json_string_value(j),
	    json_string_length(j));
	if (r < 0)
		return fail(l, "radio '%s' is not in \"radios\"",
		    json_string_value(j));
	se->radios |= 1u << r;
	return 0;
}

static int
sensor_radios(struct loader *l, struct sdc_sensor *se, json_t *o)
{
	json_t *j = json_object_get(o, "radio"), *v;
	size_t i;

	if (j == NULL)
		j = json_object_get(o, "radios");
	if (j == NULL)
		return fail(l, "no \"radio\"");
	if (!json_is_array(j))
		return sensor_radio(l, se, j);
	json_array_foreach(j, i, v)
		if (sensor_radio(l, se, v) != 0)
			return -1;
	return se->radios != 0 ? 0 : fail(l, "\"radio\" is empty");
}

static int
sensor_calibration(struct loader *l, struct sdc_sensor *se, json_t *o)
{
	double a = NAN, n = NAN;
	uint32_t r;

	if (number(l, o, "rssi_1m", &a, false) != 0 ||
	    number(l, o, "path_loss_exponent", &n, false) != 0)
		return -1;
	if (!isnan(n) && !(n >= 1 && n <= 6))
		return fail(l, "path_loss_exponent %g is outside 1..6", n);
	for (r = 0; r < l->s->nradios; r++) {
		se->rssi_1m[r] = isnan(a) ? l->s->radios[r].rssi_1m : a;
		se->exponent[r] = isnan(n) ? l->s->radios[r].exponent : n;
	}
	return 0;
}

static int
sensor_entry(struct loader *l, json_t *o, size_t i)
{
	struct sdc_site *s = l->s;
	struct sdc_sensor *se = &s->sensors[i];
	struct sdc_floor *f;

	at(l, "sensors", i, NULL);
	if (!json_is_object(o))
		return fail(l, "not an object");
	if (string(l, o, "id", &se->id, true) != 0)
		return -1;
	at(l, "sensors", i, se->id);
	if (!sdc_names_add(&s->sensor_ids, se->id, (uint32_t)i))
		return fail(l, "the id repeats an earlier sensor's");
	if (number(l, o, "x", &se->x, true) != 0 ||
	    number(l, o, "y", &se->y, true) != 0 ||
	    floor_of(l, o, &se->floor) != 0 ||
	    sensor_radios(l, se, o) != 0 ||
	    sensor_calibration(l, se, o) != 0)
		return -1;
	f = &s->floors[se->floor];
	se->z = f->height;
	if (!sdc_polygon_contains(&f->outline, (struct sdc_point){ se->x,
	    se->y }) && sdc_polygon_edge_distance(&f->outline,
	    (struct sdc_point){ se->x, se->y }) > 0.5)
		return fail(l, "(%g, %g) is off floor %ld's outline", se->x,
		    se->y, f->id);
	return 0;
}

static int
sensors(struct loader *l, json_t *root)
{
	int rc;
	json_t *j = list(l, root, "sensors", true, &rc);
	size_t i;

	if (rc != 0)
		return rc;
	l->s->nsensors = (uint32_t)json_array_size(j);
	l->s->sensors = sdc_xcalloc(l->s->nsensors, sizeof(*l->s->sensors));
	for (i = 0; i < l->s->nsensors; i++)
		if (sensor_entry(l, json_array_get(j, i), i) != 0)
			return -1;
	return 0;
}

/* ----------------------------------------------------------- zones */

static const char *const zone_kinds[] = {
	"store", "corridor", "entrance", "food_court", NULL
};

const char *
sdc_zone_kind_name(enum sdc_zone_kind k)
{
	return zone_kinds[k];
}

static int
zone_kind(struct loader *l, json_t *o, enum sdc_zone_kind *k)
{
	json_t *j = json_object_get(o, "kind");
	int i;

	if (!json_is_string(j))
		return fail(l, "\"kind\" is not one of store, corridor, "
		    "entrance, food_court");
	for (i = 0; zone_kinds[i] != NULL; i++)
		if (strcmp(json_string_value(j), zone_kinds[i]) == 0) {
			*k = (enum sdc_zone_kind)i;
			return 0;
		}
	return fail(l, "kind '%s' is not one of store, corridor, entrance, "
	    "food_court", json_string_value(j));
}

/* Whether q lies inside p, clear of its edges. */
static bool
strictly_inside(const struct sdc_polygon *p, struct sdc_point q)
{
	return sdc_polygon_contains(p, q) &&
	    sdc_polygon_edge_distance(p, q) > 1e-6;
}

/* Some vertex or edge midpoint of a, or its mean vertex, inside b. */
static bool
point_of_inside(const struct sdc_polygon *a, const struct sdc_polygon *b)
{
	struct sdc_point mean = { 0, 0 };
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct sdc_point p = a->v[i], q = a->v[(i + 1) % a->n];

		if (strictly_inside(b, p) || strictly_inside(b,
		    (struct sdc_point){ (p.x + q.x) / 2, (p.y + q.y) / 2 }))
			return true;
		mean.x += p.x / (double)a->n;
		mean.y += p.y / (double)a->n;
	}
	return strictly_inside(a, mean) && strictly_inside(b, mean);
}

/* Edges that cross, or a point of one inside the other. */
static bool
zones_overlap(const struct sdc_polygon *a, const struct sdc_polygon *b)
{
	size_t i, j;

	if (a->maxx <= b->minx || b->maxx <= a->minx ||
	    a->maxy <= b->miny || b->maxy <= a->miny)
		return false;
	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (sdc_segments_cross(a->v[i], a->v[(i + 1) % a->n],
			    b->v[j], b->v[(j + 1) % b->n]))
				return true;
	return point_of_inside(a, b) || point_of_inside(b, a);
}

static int
zone_entry(struct loader *l, json_t *o, size_t i)
{
	struct sdc_site *s = l->s;
	struct sdc_zone *z = &s->zones[i];
	size_t k;

	at(l, "zones", i, NULL);
	if (!json_is_object(o))
		return fail(l, "not an object");
	if (string(l, o, "id", &z->id, true) != 0)
		return -1;
	at(l, "zones", i, z->id);
	if (!sdc_names_add(&s->zone_ids, z->id, (uint32_t)i))
		return fail(l, "the id repeats an earlier zone's");
	if (string(l, o, "name", &z->name, false) != 0 ||
	    zone_kind(l, o, &z->kind) != 0 || floor_of(l, o, &z->floor) != 0 ||
	    polygon(l, o, "polygon", &z->polygon) != 0)
		return -1;
	if (z->name == NULL)
		z->name = sdc_xstrdup(z->id);
	for (k = 0; k < i; k++)
		if (s->zones[k].floor == z->floor &&
		    zones_overlap(&s->zones[k].polygon, &z->polygon))
			return fail(l, "it overlaps zones[%zu] '%s'", k,
			    s->zones[k].id);
	return 0;
}

static int
zones(struct loader *l, json_t *root)
{
	int rc;
	json_t *j = list(l, root, "zones", true, &rc);
	size_t i;

	if (rc != 0)
		return rc;
	l->s->nzones = (uint32_t)json_array_size(j);
	l->s->zones = sdc_xcalloc(l->s->nzones, sizeof(*l->s->zones));
	for (i = 0; i < l->s->nzones; i++)
		if (zone_entry(l, json_array_get(j, i), i) != 0)
			return -1;
	return 0;
}

/* ----------------------------------------------------- walls, hours */

static int
wall_entry(struct loader *l, json_t *o, size_t i)
{
	struct sdc_wall *w = &l->s->walls[i];

	at(l, "walls", i, NULL);
	if (!json_is_object(o))
		return fail(l, "not an object");
	w->loss = 5;
	if (floor_of(l, o, &w->floor) != 0 ||
	    point(l, json_object_get(o, "from"), &w->a, "\"from\"") != 0 ||
	    point(l, json_object_get(o, "to"), &w->b, "\"to\"") != 0 ||
	    number(l, o, "loss_db", &w->loss, false) != 0)
		return -1;
	if (!(w->loss >= 0 && w->loss <= 60))
		return fail(l, "loss_db %g is outside 0..60", w->loss);
	return 0;
}

static int
walls(struct loader *l, json_t *root)
{
	int rc;
	json_t *j = list(l, root, "walls", false, &rc);
	size_t i;

	if (rc != 0 || j == NULL)
		return rc;
	l->s->nwalls = (uint32_t)json_array_size(j);
	l->s->walls = sdc_xcalloc(l->s->nwalls + 1, sizeof(*l->s->walls));
	for (i = 0; i < l->s->nwalls; i++)
		if (wall_entry(l, json_array_get(j, i), i) != 0)
			return -1;
	return 0;
}

/* "HH:MM" or "+HH:MM" as minutes. */
static int
clock_minutes(struct loader *l, json_t *o, const char *key, bool sign,
    int *min)
{
	json_t *j = json_object_get(o, key);
	const char *t = json_is_string(j) ? json_string_value(j) : "";
	int neg = 0, h, m, n = 0;

	if (sign && (*t == '+' || *t == '-'))
		neg = *t++ == '-';
	if (sscanf(t, "%2d:%2d%n", &h, &m, &n) != 2 || t[n] != '\0' ||
	    h < 0 || h > (sign ? 14 : 24) || m < 0 || m > 59 ||
	    (h == 24 && m != 0))
		return fail(l, "\"%s\" is not a time %s", key, sign ?
		    "offset as \"+01:00\"" : "of day as \"09:30\"");
	*min = (neg ? -1 : 1) * (h * 60 + m);
	return 0;
}

static int
hours(struct loader *l, json_t *root)
{
	json_t *o = json_object_get(root, "hours");

	l->where[0] = '\0';
	if (o == NULL)
		return 0;
	snprintf(l->where, sizeof l->where, "hours");
	if (!json_is_object(o))
		return fail(l, "not an object");
	l->s->has_hours = true;
	if (clock_minutes(l, o, "open", false, &l->s->open_min) != 0 ||
	    clock_minutes(l, o, "close", false, &l->s->close_min) != 0 ||
	    (json_object_get(o, "utc_offset") != NULL &&
	    clock_minutes(l, o, "utc_offset", true,
	    &l->s->utc_offset_min) != 0))
		return -1;
	return 0;
}

/* ---------------------------------------------------------- the site */

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The typical distance between neighbouring sensors of a floor. */
static void
measure_spacing(struct sdc_site *s)
{
	double *nearest = sdc_xcalloc(s->nsensors, sizeof(*nearest));
	uint32_t i, j, n = 0;

	for (i = 0; i < s->nsensors; i++) {
		double best = INFINITY;

		for (j = 0; j < s->nsensors; j++)
			if (j != i && s->sensors[j].floor == s->sensors[i].floor)
				best = fmin(best, hypot(s->sensors[j].x -
				    s->sensors[i].x, s->sensors[j].y -
				    s->sensors[i].y));
		if (isfinite(best))
			nearest[n++] = best;
	}
	qsort(nearest, n, sizeof(*nearest), compare_doubles);
	s->spacing = n > 0 ? nearest[n / 2] : 15;
	free(nearest);
}

static void
sensors_in_zones(struct sdc_site *s)
{
	uint32_t z, i;

	for (z = 0; z < s->nzones; z++) {
		struct sdc_zone *zone = &s->zones[z];

		zone->sensors = sdc_xcalloc(s->nsensors, sizeof(uint32_t));
		for (i = 0; i < s->nsensors; i++)
			if (s->sensors[i].floor == zone->floor &&
			    sdc_polygon_contains(&zone->polygon,
			    (struct sdc_point){ s->sensors[i].x,
			    s->sensors[i].y }))
				zone->sensors[zone->nsensors++] = i;
	}
}

static int
load(struct loader *l, json_t *root)
{
	struct sdc_site *s = l->s;
	double fl = 15;

	if (!json_is_object(root))
		return fail(l, "not a JSON object");
	if (string(l, root, "name", &s->name, false) != 0 ||
	    number(l, root, "floor_loss_db", &fl, false) != 0)
		return -1;
	s->floor_loss = fl;
	if (floors(l, root) != 0 || radios(l, root) != 0 ||
	    sensors(l, root) != 0 || zones(l, root) != 0 ||
	    walls(l, root) != 0 || hours(l, root) != 0)
		return -1;
	measure_spacing(s);
	sensors_in_zones(s);
	return 0;
}

static void
begin(struct sdc_site *s)
{
	memset(s, 0, sizeof(*s));
	sdc_names_init(&s->sensor_ids);
	sdc_names_init(&s->zone_ids);
	sdc_names_init(&s->radio_names);
}

static int
from_json(struct sdc_site *s, const char *name, json_t *root,
    const json_error_t *je, char *err, size_t errlen)
{
	struct loader l = { s, name, err, errlen, "" };
	int rc;

	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, je->line,
		    je->column, je->text);
		return -1;
	}
	rc = load(&l, root);
	json_decref(root);
	return rc;
}

int
sdc_site_parse(struct sdc_site *s, const char *name, const char *text,
    size_t len, char *err, size_t errlen)
{
	json_error_t je;

	begin(s);
	return from_json(s, name, json_loadb(text, len,
	    JSON_REJECT_DUPLICATES, &je), &je, err, errlen);
}

int
sdc_site_load(struct sdc_site *s, const char *path, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root;
	FILE *fp;

	begin(s);
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return SDC_SITE_UNREADABLE;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	fclose(fp);
	return from_json(s, path, root, &je, err, errlen);
}

static void
free_polygon(struct sdc_polygon *p)
{
	free(p->v);
	p->v = NULL;
}

void
sdc_site_release(struct sdc_site *s)
{
	uint32_t i;

	for (i = 0; i < s->nfloors; i++) {
		free(s->floors[i].name);
		free_polygon(&s->floors[i].outline);
	}
	for (i = 0; i < s->nsensors; i++)
		free(s->sensors[i].id);
	for (i = 0; i < s->nzones; i++) {
		free(s->zones[i].id);
		free(s->zones[i].name);
		free(s->zones[i].sensors);
		free_polygon(&s->zones[i].polygon);
	}
	for (i = 0; i < s->nradios; i++)
		free(s->radios[i].name);
	free(s->floors);
	free(s->sensors);
	free(s->zones);
	free(s->walls);
	free(s->name);
	sdc_names_release(&s->sensor_ids);
	sdc_names_release(&s->zone_ids);
	sdc_names_release(&s->radio_names);
	memset(s, 0, sizeof(*s));
}

long
sdc_site_floor_index(const struct sdc_site *s, long id)
{
	uint32_t i;

	for (i = 0; i < s->nfloors; i++)
		if (s->floors[i].id == id)
			return (long)i;
	return -1;
}

void
sdc_site_clamp(const struct sdc_site *s, uint32_t floor, double *x, double *y)
{
	const struct sdc_polygon *o = &s->floors[floor].outline;
	struct sdc_point p = { *x, *y }, c;

	if (sdc_polygon_contains(o, p))
		return;
	c = sdc_polygon_nearest(o, p);
	*x = c.x;
	*y = c.y;
}

long
sdc_site_zone_at(const struct sdc_site *s, uint32_t floor, struct sdc_point q)
{
	uint32_t i;

	for (i = 0; i < s->nzones; i++)
		if (s->zones[i].floor == floor &&
		    sdc_polygon_contains(&s->zones[i].polygon, q))
			return (long)i;
	return -1;
}

bool
sdc_site_open_at(const struct sdc_site *s, int64_t ms)
{
	int64_t day_ms = 86400000, local;
	int min;

	if (!s->has_hours)
		return true;
	local = ms + (int64_t)s->utc_offset_min * 60000;
	min = (int)((local % day_ms + day_ms) % day_ms / 60000);
	if (s->open_min <= s->close_min)
		return min >= s->open_min && min < s->close_min;
	return min >= s->open_min || min < s->close_min; /* past midnight */
}
