/* sdc-locate's engine: sightings into windows, windows into places. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "engine.h"
#include "frame-reader.h"
#include "signals.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define LOCATE_LATE		"LOCATE_LATE"
#define NEW_OFFSET_VAR		16.0	/* dB^2: phones differ by ~4 dB */
#define MIN_OFFSET_VAR		0.25	/* never surer than 0.5 dB */
#define FUTURE_SLACK_MS		3600000	/* an hour past the wall clock */
#define END_OF_TIME		(INT64_MAX / 2)

void
sdc_locate_options_init(struct sdc_locate_options *o)
{
	static const char *const paths[5] = { "/ts", "/sensor_id",
		"/device_id", "/rssi", "/radio" };

	memset(o, 0, sizeof(*o));
	memcpy(o->paths, paths, sizeof paths);
	o->emit = SDC_EMIT_ALL;
	o->estimator = SDC_EST_ML;
	o->tracking = true;
	o->window_ms = 5000;
	o->lateness_ms = 10000;
	o->visit_gap_ms = 60000;
	o->traffic_ms = 900000;
	o->idle_ms = 1800000;
	o->visitor_dwell_ms = 60000;
	o->visitor_depth = 1.5;
	o->visitor_rssi = NAN;
	o->hysteresis = 1.0;
	o->forget_days = 90;
	o->state_interval = 60;
}

static int64_t
window_of(const struct sdc_locate *l, int64_t ms)
{
	return ms / l->o->window_ms;
}

/* ------------------------------------------------------------ windows */

static void
update_offset(struct sdc_device *d, const struct sdc_fix *f,
    enum sdc_estimator e)
{
	if (e != SDC_EST_ML || !f->fitted)
		return;
	d->offset = f->offset;
	d->offset_var = fmax(f->offset_var, MIN_OFFSET_VAR);
}

static void
close_slot(struct sdc_locate *l, struct sdc_device *d,
    struct sdc_window_slot *s)
{
	int64_t start = s->index * l->o->window_ms, mid = start +
	    l->o->window_ms / 2;
	struct sdc_fix_input in = { l->heard, 0, d->offset, d->offset_var,
		d->track.started, d->track.floor, 0, 0 };
	struct sdc_fix f;
	uint32_t sightings = s->n, floor;
	double x, y, u;

	in.nheard = sdc_heard_from_obs(&l->site, s->obs, s->n, l->heard);
	if (in.has_hint)
		sdc_track_predict(&d->track, mid, &in.hint_x, &in.hint_y);
	s->n = 0;
	d->pending--;
	if (!sdc_model_fix(&l->model, &in, &f))
		return;
	update_offset(d, &f, l->o->estimator);
	if (l->o->tracking) {
		sdc_track_update(&d->track, &l->site, &f, mid);
		floor = d->track.floor;
		x = d->track.s[0];
		y = d->track.s[1];
		u = sdc_track_uncertainty(&d->track);
	} else {
		floor = f.floor;
		x = f.x;
		y = f.y;
		u = sqrt(fmax(0, f.cov[0][0] + f.cov[1][1]));
	}
	d->windows++;
	d->placed_until = start + l->o->window_ms;
	sdc_locate_place(l, d, &(struct sdc_place){ floor, x, y, start,
	    start + l->o->window_ms, l->heard, in.nheard });
	sdc_emit_position(l, d, start, floor, x, y, u, &f, sightings);
}

/* Close the device's windows that end at or before limit_ms, in order. */
static void
close_windows(struct sdc_locate *l, struct sdc_device *d, int64_t limit_ms)
{
	int64_t last = limit_ms >= END_OF_TIME ? END_OF_TIME :
	    limit_ms / l->o->window_ms;	/* windows before this one end */

	while (d->pending > 0 && d->next_window < last) {
		struct sdc_window_slot *s =
		    &d->ring[(uint64_t)d->next_window % l->devices.nring];

		if (s->n > 0 && s->index == d->next_window)
			close_slot(l, d, s);
		d->next_window++;
	}
	if (d->pending == 0 && d->next_window < last && last < END_OF_TIME)
		d->next_window = last;
}

/* ------------------------------------------------------------ devices */

static void
open_history(struct sdc_locate *l, struct sdc_device *d, int64_t ms)
{
	struct sdc_history *h = sdc_history_find(&l->history, d->id);

	d->offset = 0;
	d->offset_var = NEW_OFFSET_VAR;
	if (d->random_mac)
		return;	/* a new MAC tomorrow: nothing to remember */
	if (h == NULL) {
		h = sdc_history_add(&l->history, d->id);
		h->first_ms = h->last_ms = ms;
		h->offset_var = NEW_OFFSET_VAR;
	}
	d->history = h;
	d->center_before = h->center_visits;
	d->returning = h->center_visits > 0;
	d->offset = h->offset;
	d->offset_var = h->offset_var;
}

static struct sdc_device *
device_for(struct sdc_locate *l, const uint8_t id[SDC_DEVID_LEN], int random,
    int64_t ms)
{
	struct sdc_device *d = sdc_devices_find(&l->devices, id);

	if (d != NULL)
		return d;
	d = sdc_devices_add(&l->devices, id);
	d->random_mac = random == 1;
	d->first_ms = d->last_ms = ms;
	/* Its windows open from the watermark's, or from its first. */
	d->next_window = l->watermark > 0 ? window_of(l, l->watermark) :
	    window_of(l, ms);
	open_history(l, d, ms);
	return d;
}

/* The device went idle (or the input ended): what it did, remembered. */
static void
finish_device(struct sdc_locate *l, struct sdc_device *d)
{
	struct sdc_history *h = d->history;

	close_windows(l, d, END_OF_TIME);
	sdc_locate_leave(l, d, d->placed_until > d->last_ms ?
	    d->placed_until : d->last_ms);
	sdc_emit_device(l, d);
	if (h != NULL) {
		h->center_visits++;
		if (d->last_ms > h->last_ms)
			h->last_ms = d->last_ms;
		h->offset = d->offset;
		h->offset_var = d->offset_var;
	}
	sdc_devices_remove(&l->devices, d);
}

/* ------------------------------------------------------------ state */

/* What the active devices have learnt so far goes into their history. */
static void
sync_history(struct sdc_locate *l)
{
	size_t i;

	for (i = 0; i <= l->devices.mask; i++) {
		struct sdc_device *d = l->devices.slots[i];

		if (d == NULL || d->history == NULL)
			continue;
		if (d->last_ms > d->history->last_ms)
			d->history->last_ms = d->last_ms;
		d->history->offset = d->offset;
		d->history->offset_var = d->offset_var;
	}
}

/*
 * Devices not seen for --forget-after days are left out; never one
 * still active (seen within the idle timeout), whatever the option.
 */
static void
save_state(struct sdc_locate *l)
{
	int64_t horizon = l->max_ts - (int64_t)(l->o->forget_days * 86400e3);
	int64_t active = l->watermark - l->o->idle_ms;
	char err[512];

	if (l->o->state_path == NULL)
		return;
	sync_history(l);
	if (l->devices.n > 0 && horizon > active)
		horizon = active;
	if (sdc_history_save(&l->history, &l->site, l->o->state_path,
	    horizon, err, sizeof err) != 0) {
		sdc_warnx("the state file: %s", err);
		sdc_run_fail(l->run, SDC_EXIT_IO);
	}
	l->saved_at = sdc_uptime();
}

/* ------------------------------------------------------------ sweeps */

/*
 * Everything the watermark has passed: windows, visits past their gap,
 * devices past the idle timeout, then traffic intervals.
 */
static void
sweep(struct sdc_locate *l, int64_t watermark)
{
	struct sdc_device **idle = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i <= l->devices.mask; i++) {
		struct sdc_device *d = l->devices.slots[i];

		if (d == NULL)
			continue;
		close_windows(l, d, watermark);
		sdc_locate_expire_visits(l, d, watermark);
		if (watermark - d->last_ms > l->o->idle_ms) {
			if (n == cap)
				idle = sdc_xreallocarray(idle, cap = cap * 2 +
				    16, sizeof(*idle));
			idle[n++] = d;
		}
	}
	for (i = 0; i < n; i++)
		finish_device(l, idle[i]);
	free(idle);
	sdc_locate_close_traffic(l, watermark);
}

static void
advance(struct sdc_locate *l, int64_t ts)
{
	if (ts <= l->max_ts)
		return;
	l->max_ts = ts;
	l->watermark = ts - l->o->lateness_ms;
	if (l->watermark < l->next_sweep)
		return;
	sweep(l, l->watermark);
	l->next_sweep = (window_of(l, l->watermark) + 1) * l->o->window_ms;
	if (l->o->state_path != NULL && l->o->state_interval > 0 &&
	    sdc_uptime() - l->saved_at >= l->o->state_interval)
		save_state(l);
}

/* ------------------------------------------------------------ input */

static void
note_unknown_sensor(struct sdc_locate *l, const char *msg)
{
	if (l->unknown_sensor++ == 0)
		snprintf(l->first_unknown, sizeof l->first_unknown, "%s", msg);
}

/*
 * A sighting that cannot be used, its message led by where it came
 * from: the record's source id, else its byte in the input.
 */
static void
reject(struct sdc_locate *l, const struct sdc_frame *f, const char *code,
    const char *msg)
{
	const struct sdc_str *id = &l->in.h.id;

	if (id->len > 0)
		sdc_run_reject(l->run, &l->in, code, "%.*s: %s", (int)id->len,
		    id->ptr, msg);
	else
		sdc_run_reject(l->run, &l->in, code, "%s: byte %llu: %s",
		    l->input_name, (unsigned long long)f->offset, msg);
}

static void
take(struct sdc_locate *l, const struct sdc_sighting *s,
    const struct sdc_frame *f)
{
	char msg[160];
	uint8_t id[SDC_DEVID_LEN];
	int random = sdc_mac_is_random(s->device, s->device_len);
	struct sdc_obs o = { (uint16_t)s->sensor, (uint8_t)s->radio, s->rssi };
	struct sdc_device *d;
	struct sdc_window_slot *slot;
	int64_t w = window_of(l, s->ts_ms);

	sdc_devid_hash(&l->devid, s->device, s->device_len, id);
	if (random == 1 && l->o->drop_random_macs) {
		l->dropped_random++;
		return;
	}
	d = device_for(l, id, random, s->ts_ms);
	if (w < d->next_window) {
		l->late++;
		snprintf(msg, sizeof msg, "%s: %lld ms behind the newest "
		    "sighting, its window closed (see --max-lateness)",
		    l->o->paths[0], (long long)(l->max_ts - s->ts_ms));
		reject(l, f, LOCATE_LATE, msg);
		return;
	}
	while ((slot = sdc_device_slot(&l->devices, d, w)) == NULL)
		close_windows(l, d, (d->next_window + 1) * l->o->window_ms);
	sdc_slot_add(slot, &o);
	if (s->ts_ms > d->last_ms)
		d->last_ms = s->ts_ms;
	advance(l, s->ts_ms);
}

static void
sighting_frame(struct sdc_locate *l, const struct sdc_frame *f)
{
	struct sdc_sighting s;
	const char *code, *reason;
	char msg[320];

	l->run->n.in++;
	if (sdc_wire_decode(&l->in, SDC_KIND_DATA, f->payload, f->payload_len,
	    &reason) != 0) {
		sdc_run_reject_raw(l->run, "sighting", f->payload,
		    f->payload_len, "SDC_BAD_FRAME", "at byte %llu: %s",
		    (unsigned long long)f->offset, reason);
		return;
	}
	if (sdc_sighting_read(&l->site, &l->paths, &l->in, &s, &code, msg,
	    sizeof msg) != 0) {
		if (strcmp(code, SDC_LOCATE_UNKNOWN_SENSOR) == 0)
			note_unknown_sensor(l, msg);
		reject(l, f, code, msg);
		return;
	}
	if ((l->run->n.in & 1023) == 1)
		l->now_ms = sdc_now_ms();
	if (s.ts_ms < 0 || s.ts_ms > l->now_ms + FUTURE_SLACK_MS) {
		snprintf(msg, sizeof msg, "%s: %lld ms since 1970 is %s",
		    l->o->paths[0], (long long)s.ts_ms, s.ts_ms < 0 ?
		    "before 1970" : "more than an hour ahead of this clock");
		reject(l, f, SDC_LOCATE_BAD_SIGHTING, msg);
		return;
	}
	take(l, &s, f);
}

static void
handle_frame(struct sdc_locate *l, const struct sdc_frame *f)
{
	l->run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA)
		sighting_frame(l, f);
	else if (f->kind == SDC_KIND_BATCH)
		sdc_run_batch(l->run);
	else
		sdc_run_forward(l->run, f);
}

static void
read_stream(struct sdc_locate *l, const char *path)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	enum sdc_read_status st;

	l->input_name = strcmp(path, "-") == 0 ? "stdin" : path;
	if (sdc_frame_reader_open(&fr, path, l->run->opt.max_record) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(l->run, SDC_EXIT_IO);
		return;
	}
	while ((st = sdc_frame_reader_next(&fr, &f)) == SDC_READ_FRAME) {
		handle_frame(l, &f);
		if (sdc_pending_signal)
			sdc_run_poll(l->run);
	}
	if (st != SDC_READ_EOF) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(l->run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_frame_reader_close(&fr);
}

/* ------------------------------------------------------------ a run */

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void
report(const struct sdc_locate *l)
{
	if (l->unknown_sensor > 0)
		sdc_warnx("%llu sighting%s from sensors not in the site (the "
		    "first: %s)", (unsigned long long)l->unknown_sensor,
		    plural(l->unknown_sensor), l->first_unknown);
	if (l->late > 0)
		sdc_warnx("%llu sighting%s came after their window closed "
		    "(--max-lateness %.3g s)", (unsigned long long)l->late,
		    plural(l->late), (double)l->o->lateness_ms / 1000);
	if (l->dropped_random > 0)
		sdc_warnx("%llu sighting%s of randomised MAC addresses dropped "
		    "(--drop-random-macs)", (unsigned long long)l->dropped_random,
		    plural(l->dropped_random));
}

/* The end of the input, or a stop: everything still open is closed. */
static void
drain(struct sdc_locate *l)
{
	sweep(l, END_OF_TIME);
	save_state(l);
	report(l);
}

static void
on_stop(struct sdc_run *run, void *ctx)
{
	(void)run;
	drain(ctx);
}

static void
start(struct sdc_locate *l)
{
	const struct sdc_locate_options *o = l->o;
	char err[512];

	switch (sdc_site_load(&l->site, o->site_path, err, sizeof err)) {
	case 0:
		break;
	case SDC_SITE_UNREADABLE:
		sdc_errx(SDC_EXIT_IO, "%s", err);
	default:
		sdc_errx(SDC_EXIT_USAGE, "%s", err);
	}
	if (sdc_sighting_paths_parse(&l->paths, o->paths, err,
	    sizeof err) != 0)
		sdc_errx(SDC_EXIT_USAGE, "a field path: %s", err);
	sdc_history_init(&l->history);
	if (o->state_path != NULL && sdc_history_load(&l->history, &l->site,
	    o->state_path, SDC_DEFAULT_MAX_RECORD, err, sizeof err) != 0)
		sdc_errx(SDC_EXIT_IO, "the state file is not usable, and is "
		    "left as it is: %s", err);
	sdc_model_init(&l->model, &l->site, o->estimator);
	sdc_devid_init(&l->devid, o->key, o->key_len);
	sdc_devices_init(&l->devices, (uint32_t)(o->lateness_ms /
	    o->window_ms + 3), l->site.nzones);
	sdc_traffic_init(&l->traffic, l->site.nzones, o->traffic_ms);
	sdc_record_init(&l->in);
	sdc_record_init(&l->out);
	l->heard = sdc_xcalloc((size_t)l->site.nsensors * SDC_RADIOS_MAX + 1,
	    sizeof(*l->heard));
	l->max_ts = l->watermark = l->next_sweep = INT64_MIN / 2;
}

static void
stop(struct sdc_locate *l)
{
	free(l->heard);
	sdc_record_release(&l->in);
	sdc_record_release(&l->out);
	sdc_traffic_release(&l->traffic);
	sdc_devices_release(&l->devices);
	sdc_devid_release(&l->devid);
	sdc_model_release(&l->model);
	sdc_history_release(&l->history);
	sdc_sighting_paths_release(&l->paths);
	sdc_site_release(&l->site);
}

struct sdc_locate *
sdc_locate_open(const struct sdc_locate_options *o)
{
	struct sdc_locate *l = sdc_xcalloc(1, sizeof(*l));

	l->o = o;
	start(l);
	return l;
}

void
sdc_locate_run(struct sdc_locate *l, struct sdc_run *run,
    const char *const *paths)
{
	l->run = run;
	l->saved_at = run->ready = sdc_uptime();
	run->on_stop = on_stop;
	run->stop_ctx = l;
	for (; !run->opt.dry_run && *paths != NULL; paths++)
		read_stream(l, *paths);
	run->on_stop = NULL;
	if (!run->opt.dry_run)
		drain(l);
}

void
sdc_locate_free(struct sdc_locate *l)
{
	stop(l);
	free(l);
}
