/*
 * libFuzzer harness for the location model: the bytes are windows of
 * sightings in a fixed room (per sighting a sensor, an RSSI and a gap),
 * located by each estimator and tracked.  Every fix must be finite and
 * on its floor; none may hang.  Built by scripts/fuzz.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "site.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char room[] =
    "{\"floors\": [{\"id\": 0, \"outline\": [[0,0],[40,0],[40,20],[0,20]]},"
    " {\"id\": 1, \"height\": 5, \"outline\": [[0,0],[40,0],[40,20],[0,20]]}],"
    " \"walls\": [{\"floor\": 0, \"from\": [20,0], \"to\": [20,12]}],"
    " \"sensors\": [{\"id\": \"a\", \"x\": 0, \"y\": 0, \"floor\": 0, \"radio\": \"wifi\"},"
    " {\"id\": \"b\", \"x\": 40, \"y\": 0, \"floor\": 0, \"radio\": [\"wifi\", \"ble\"]},"
    " {\"id\": \"c\", \"x\": 0, \"y\": 20, \"floor\": 1, \"radio\": \"wifi\"},"
    " {\"id\": \"d\", \"x\": 40, \"y\": 20, \"floor\": 1, \"radio\": \"ble\"},"
    " {\"id\": \"e\", \"x\": 20, \"y\": 10, \"floor\": 0, \"radio\": \"wifi\"}],"
    " \"zones\": [{\"id\": \"z\", \"kind\": \"store\", \"floor\": 0,"
    " \"polygon\": [[0,0],[20,0],[20,20],[0,20]]}]}";

static void
check(const struct sdc_site *s, const struct sdc_fix *f)
{
	if (!isfinite(f->x) || !isfinite(f->y) || f->floor >= s->nfloors ||
	    !isfinite(f->cov[0][0]) || !isfinite(f->cov[1][1]) ||
	    !isfinite(f->offset) || !(f->offset_var > 0))
		abort();
	if (f->x < -1e-6 || f->x > 40 + 1e-6 || f->y < -1e-6 ||
	    f->y > 20 + 1e-6)
		abort();
}

/* One window from 3 bytes a sighting, its first byte ending it if odd. */
static size_t
window(const struct sdc_site *s, const uint8_t *p, size_t n,
    struct sdc_obs *obs, uint32_t *nobs)
{
	size_t used = 0;

	*nobs = 0;
	while (used + 3 <= n && *nobs < 64) {
		uint32_t sensor = p[used] % s->nsensors;
		uint32_t radio = s->sensors[sensor].radios & 1 ? 0 : 1;

		obs[(*nobs)++] = (struct sdc_obs){ (uint16_t)sensor,
			(uint8_t)radio, -30.0f - p[used + 1] * 0.4f -
			p[used + 2] / 256.0f };
		used += 3;
		if (p[used - 3] & 0x80)
			break;
	}
	return used;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sdc_site s;
	static int loaded;
	struct sdc_obs obs[64];
	struct sdc_heard heard[64];
	struct sdc_model m[3];
	struct sdc_track t;
	char err[256];
	size_t at = 0;
	int64_t ms = 0;
	int e;

	if (!loaded && sdc_site_parse(&s, "room", room, sizeof room - 1, err,
	    sizeof err) != 0)
		abort();
	loaded = 1;
	for (e = 0; e < 3; e++)
		sdc_model_init(&m[e], &s, (enum sdc_estimator)e);
	memset(&t, 0, sizeof t);
	while (at < size) {
		uint32_t nobs;
		size_t used = window(&s, data + at, size - at, obs, &nobs);
		struct sdc_fix_input in = { heard, 0, 0, 16, t.started,
			t.floor, 0, 0 };
		struct sdc_fix f;

		if (used == 0)
			break;
		at += used;
		ms += 5000;
		in.nheard = sdc_heard_from_obs(&s, obs, nobs, heard);
		if (in.has_hint)
			sdc_track_predict(&t, ms, &in.hint_x, &in.hint_y);
		for (e = 0; e < 3; e++)
			if (sdc_model_fix(&m[e], &in, &f)) {
				check(&s, &f);
				if (e == 0)
					sdc_track_update(&t, &s, &f, ms);
			}
		if (t.started && (!isfinite(t.s[0]) || !isfinite(t.s[1])))
			abort();
	}
	for (e = 0; e < 3; e++)
		sdc_model_release(&m[e]);
	return 0;
}
