/* Sightings from records: the five fields, their types and ranges. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sighting.h"
#include "temporal.h"
#include "banned.h"

#define RSSI_MIN	-130
#define RSSI_MAX	20

struct reading {
	const struct sdc_site		*site;
	const char			**code;
	char				*msg;
	size_t				 msglen;
};

static int
bad(struct reading *rd, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct reading *rd, const char *code, const char *fmt, ...)
{
	va_list ap;

	*rd->code = code;
	va_start(ap, fmt);
	vsnprintf(rd->msg, rd->msglen, fmt, ap);
	va_end(ap);
	return -1;
}

int
sdc_sighting_paths_parse(struct sdc_sighting_paths *p,
    const char *const texts[5], char *err, size_t errlen)
{
	struct sdc_path *paths[5] = { &p->ts, &p->sensor, &p->device,
		&p->rssi, &p->radio };
	char why[128];
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 5; i++)
		if (sdc_path_parse(paths[i], texts[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "'%s': %s", texts[i], why);
			return -1;
		}
	return 0;
}

void
sdc_sighting_paths_release(struct sdc_sighting_paths *p)
{
	sdc_path_release(&p->ts);
	sdc_path_release(&p->sensor);
	sdc_path_release(&p->device);
	sdc_path_release(&p->rssi);
	sdc_path_release(&p->radio);
}

static const char *
text_of(const struct sdc_path *p)
{
	static char buf[256];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < p->n && n < sizeof buf - 16; i++)
		if (p->steps[i].is_index)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "[%u]",
			    p->steps[i].index);
		else
			n += (size_t)snprintf(buf + n, sizeof buf - n, "/%.*s",
			    (int)p->steps[i].name.len, p->steps[i].name.ptr);
	return n > 0 ? buf : "/";
}

static int
read_ts(struct reading *rd, const struct sdc_path *p, struct sdc_field *f,
    int64_t *ms)
{
	int64_t us;
	int32_t off;
	struct sdc_str zone;

	switch (f->type) {
	case SDC_DATETIME:
		*ms = f->v.i / 1000 - (f->v.i % 1000 < 0);
		return 0;
	case SDC_ZONED_DATETIME:
		*ms = f->v.z.us / 1000 - (f->v.z.us % 1000 < 0);
		return 0;
	case SDC_LONG: case SDC_INTEGER:
		*ms = f->v.i;
		return 0;
	case SDC_DOUBLE:
		if (isfinite(f->v.d) && fabs(f->v.d) < 1e15) {
			*ms = (int64_t)floor(f->v.d);
			return 0;
		}
		break;
	case SDC_STRING:
		if (sdc_parse_datetime(f->v.s.ptr, f->v.s.len, &us) ||
		    sdc_parse_zoned(f->v.s.ptr, f->v.s.len, &us, &off, &zone)) {
			*ms = us / 1000 - (us % 1000 < 0);
			return 0;
		}
		return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: '%.*s' is not an "
		    "ISO-8601 date and time", text_of(p), (int)fmin(64,
		    (double)f->v.s.len), f->v.s.ptr);
	}
	return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: a %s is not a time "
	    "(DATETIME, LONG epoch milliseconds or an ISO-8601 string)",
	    text_of(p), sdc_type_name(f->type));
}

static int
read_number(struct reading *rd, const struct sdc_path *p, struct sdc_field *f,
    double *v)
{
	char buf[64], *end;

	switch (f->type) {
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
		*v = (double)f->v.i;
		return 0;
	case SDC_FLOAT:
		*v = f->v.f;
		return 0;
	case SDC_DOUBLE:
		*v = f->v.d;
		return 0;
	case SDC_DECIMAL: case SDC_STRING:
		if (f->v.s.len > 0 && f->v.s.len < sizeof buf) {
			memcpy(buf, f->v.s.ptr, f->v.s.len);
			buf[f->v.s.len] = '\0';
			errno = 0;
			*v = strtod(buf, &end);
			if (*end == '\0' && errno == 0)
				return 0;
		}
		return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: '%.*s' is not a "
		    "number of dBm", text_of(p), (int)fmin(64,
		    (double)f->v.s.len), f->v.s.ptr);
	}
	return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: a %s is not a number "
	    "of dBm", text_of(p), sdc_type_name(f->type));
}

static int
read_text(struct reading *rd, const struct sdc_path *p, struct sdc_field *f,
    struct sdc_str *s)
{
	if (f->type != SDC_STRING && f->type != SDC_BYTE_ARRAY)
		return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: a %s is not an "
		    "id", text_of(p), sdc_type_name(f->type));
	if (f->v.s.len == 0)
		return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: an empty id",
		    text_of(p));
	*s = f->v.s;
	return 0;
}

static struct sdc_field *
field(struct reading *rd, struct sdc_record *r, const struct sdc_path *p,
    bool need)
{
	struct sdc_field *f = sdc_path_get(&r->root, p);

	if (f != NULL && !f->null)
		return f;
	if (need)
		bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: %s", text_of(p),
		    f == NULL ? "no such field" : "null");
	return NULL;
}

static int
read_radio(struct reading *rd, const struct sdc_path *p, struct sdc_record *r,
    const struct sdc_sensor *se, uint32_t *radio)
{
	struct sdc_field *f = field(rd, r, p, false);
	struct sdc_str name;
	long i;

	if (f == NULL) {	/* a sensor of one radio needs no field */
		if (__builtin_popcount(se->radios) != 1)
			return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: no radio, "
			    "and sensor '%s' has several", text_of(p), se->id);
		*radio = (uint32_t)__builtin_ctz(se->radios);
		return 0;
	}
	if (read_text(rd, p, f, &name) != 0)
		return -1;
	i = sdc_names_find(&rd->site->radio_names, name.ptr, name.len);
	if (i < 0 || !(se->radios & 1u << i))
		return bad(rd, SDC_LOCATE_BAD_SIGHTING, "%s: sensor '%s' has "
		    "no radio '%.*s'", text_of(p), se->id,
		    (int)fmin(32, (double)name.len), name.ptr);
	*radio = (uint32_t)i;
	return 0;
}

int
sdc_sighting_read(const struct sdc_site *s, const struct sdc_sighting_paths *p,
    struct sdc_record *r, struct sdc_sighting *out, const char **code,
    char *msg, size_t msglen)
{
	struct reading rd = { s, code, msg, msglen };
	struct sdc_field *f;
	struct sdc_str id;
	double rssi = 0;
	long sensor;

	if ((f = field(&rd, r, &p->ts, true)) == NULL ||
	    read_ts(&rd, &p->ts, f, &out->ts_ms) != 0)
		return -1;
	if ((f = field(&rd, r, &p->sensor, true)) == NULL ||
	    read_text(&rd, &p->sensor, f, &id) != 0)
		return -1;
	if ((sensor = sdc_names_find(&s->sensor_ids, id.ptr, id.len)) < 0)
		return bad(&rd, SDC_LOCATE_UNKNOWN_SENSOR, "%s: sensor '%.*s' "
		    "is not in the site", text_of(&p->sensor),
		    (int)fmin(64, (double)id.len), id.ptr);
	out->sensor = (uint32_t)sensor;
	if ((f = field(&rd, r, &p->device, true)) == NULL ||
	    read_text(&rd, &p->device, f, &id) != 0)
		return -1;
	out->device = id.ptr;
	out->device_len = id.len;
	if ((f = field(&rd, r, &p->rssi, true)) == NULL ||
	    read_number(&rd, &p->rssi, f, &rssi) != 0)
		return -1;
	if (!(rssi >= RSSI_MIN && rssi <= RSSI_MAX))
		return bad(&rd, SDC_LOCATE_BAD_SIGHTING, "%s: %g dBm is outside "
		    "%d..%d", text_of(&p->rssi), rssi, RSSI_MIN, RSSI_MAX);
	out->rssi = (float)rssi;
	return read_radio(&rd, &p->radio, r, &s->sensors[out->sensor],
	    &out->radio);
}
