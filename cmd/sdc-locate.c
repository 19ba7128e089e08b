/* sdc-locate: shoppers' positions, visits and foot traffic from sightings. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "locate.h"
#include "run.h"
#include "secret.h"

#define KEY_ENV	"SDC_LOCATE_KEY"

enum {
	OPT_STATE = 0x100, OPT_ESTIMATOR, OPT_LATENESS, OPT_VISIT_GAP,
	OPT_TRAFFIC, OPT_IDLE, OPT_VISITOR_DWELL, OPT_VISITOR_DEPTH,
	OPT_HYSTERESIS, OPT_FORGET, OPT_DROP_RANDOM, OPT_NO_TRACKING,
	OPT_STATE_INTERVAL, OPT_TS, OPT_SENSOR, OPT_DEVICE, OPT_RSSI,
	OPT_RADIO, OPT_EMIT, OPT_VISITOR_RSSI
};

static const struct sdc_option options[] = {
	{ "site", 's', 's', true, "FILE", "the site: sensors, zones (required)" },
	{ "key-file", 'k', 'k', true, "FILE",
	  "the key of the keyed device ids (SDC_LOCATE_KEY)" },
	{ "state", 0, OPT_STATE, true, "FILE",
	  "remember devices across runs, for recurring visits" },
	{ "emit", 0, OPT_EMIT, true, "LIST",
	  "positions,zones,visits,traffic,devices (all)" },
	{ "estimator", 0, OPT_ESTIMATOR, true, "NAME",
	  "ml, centroid or lls (ml)" },
	{ "no-tracking", 0, OPT_NO_TRACKING, false, NULL,
	  "each window's fix alone, no filter across windows" },
	{ "window", 'w', 'w', true, "TIME", "one position per window (5s)" },
	{ "max-lateness", 0, OPT_LATENESS, true, "TIME",
	  "how late a sighting may come (10s)" },
	{ "visit-gap", 0, OPT_VISIT_GAP, true, "TIME",
	  "an absence that ends a visit (60s)" },
	{ "traffic-interval", 0, OPT_TRAFFIC, true, "TIME",
	  "foot traffic per zone per interval (15m)" },
	{ "idle-timeout", 0, OPT_IDLE, true, "TIME",
	  "a silence that ends a center visit (30m)" },
	{ "visitor-dwell", 0, OPT_VISITOR_DWELL, true, "TIME",
	  "a visitor stays at least this long (60s)" },
	{ "visitor-depth", 0, OPT_VISITOR_DEPTH, true, "METRES",
	  "and gets this far inside (1.5)" },
	{ "visitor-rssi", 0, OPT_VISITOR_RSSI, true, "DBM",
	  "and is heard this loud by a sensor inside (no rule)" },
	{ "hysteresis", 0, OPT_HYSTERESIS, true, "METRES",
	  "how far out of a zone before leaving it (1)" },
	{ "forget-after", 0, OPT_FORGET, true, "DAYS",
	  "forget devices not seen for DAYS (90)" },
	{ "state-interval", 0, OPT_STATE_INTERVAL, true, "TIME",
	  "save the state this often (60s)" },
	{ "drop-random-macs", 0, OPT_DROP_RANDOM, false, NULL,
	  "drop sightings of randomised MAC addresses" },
	{ "ts-field", 0, OPT_TS, true, "PATH", "the sighting's time (/ts)" },
	{ "sensor-field", 0, OPT_SENSOR, true, "PATH",
	  "the sensor's id (/sensor_id)" },
	{ "device-field", 0, OPT_DEVICE, true, "PATH",
	  "the device's id (/device_id)" },
	{ "rssi-field", 0, OPT_RSSI, true, "PATH", "the RSSI in dBm (/rssi)" },
	{ "radio-field", 0, OPT_RADIO, true, "PATH",
	  "wifi, ble or another radio of the site (/radio)" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct locate_args {
	struct sdc_locate_options	o;
	const char			*key_file;
};

static int64_t
ms_of(const char *opt, const char *arg)
{
	return (int64_t)(sdc_parse_duration(opt, arg) * 1000 + 0.5);
}

static double
metres(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v >= 0 && v <= 1000))
		sdc_usage_error("%s: '%s' is not a distance in metres", opt,
		    arg);
	return v;
}

static double
dbm(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v >= -130 && v <= 20))
		sdc_usage_error("%s: '%s' is not an RSSI in dBm (-130..20)",
		    opt, arg);
	return v;
}

static unsigned
emit_list(const char *arg)
{
	static const char *const words[] = { "positions", "zones", "visits",
		"traffic", "devices", NULL };
	unsigned mask = 0;
	char *copy = strdup(arg), *word, *rest = copy;

	if (copy == NULL)
		sdc_errx(SDC_EXIT_IO, "out of memory");
	while ((word = strsep(&rest, ",")) != NULL)
		mask |= 1u << sdc_parse_word("--emit", word, words);
	free(copy);
	return mask;
}

static bool
time_option(struct sdc_locate_options *o, int val, const char *arg)
{
	switch (val) {
	case 'w': o->window_ms = ms_of("--window", arg); break;
	case OPT_LATENESS: o->lateness_ms = ms_of("--max-lateness", arg); break;
	case OPT_VISIT_GAP: o->visit_gap_ms = ms_of("--visit-gap", arg); break;
	case OPT_TRAFFIC: o->traffic_ms = ms_of("--traffic-interval", arg); break;
	case OPT_IDLE: o->idle_ms = ms_of("--idle-timeout", arg); break;
	case OPT_VISITOR_DWELL:
		o->visitor_dwell_ms = ms_of("--visitor-dwell", arg);
		break;
	case OPT_STATE_INTERVAL:
		o->state_interval = sdc_parse_duration("--state-interval", arg);
		break;
	default:
		return false;
	}
	return true;
}

static void
handle(void *ctx, int val, const char *arg)
{
	static const char *const estimators[] = { "ml", "centroid", "lls",
		NULL };
	struct locate_args *a = ctx;
	struct sdc_locate_options *o = &a->o;

	if (time_option(o, val, arg))
		return;
	switch (val) {
	case 's': o->site_path = arg; break;
	case 'k': a->key_file = arg; break;
	case OPT_STATE: o->state_path = arg; break;
	case OPT_EMIT: o->emit = emit_list(arg); break;
	case OPT_ESTIMATOR:
		o->estimator = (enum sdc_estimator)sdc_parse_word(
		    "--estimator", arg, estimators);
		break;
	case OPT_NO_TRACKING: o->tracking = false; break;
	case OPT_VISITOR_DEPTH: o->visitor_depth = metres("--visitor-depth",
	    arg); break;
	case OPT_HYSTERESIS: o->hysteresis = metres("--hysteresis", arg); break;
	case OPT_VISITOR_RSSI: o->visitor_rssi = dbm("--visitor-rssi", arg);
		break;
	case OPT_FORGET:
		o->forget_days = sdc_parse_duration("--forget-after", arg);
		break;
	case OPT_DROP_RANDOM: o->drop_random_macs = true; break;
	case OPT_TS: o->paths[0] = arg; break;
	case OPT_SENSOR: o->paths[1] = arg; break;
	case OPT_DEVICE: o->paths[2] = arg; break;
	case OPT_RSSI: o->paths[3] = arg; break;
	case OPT_RADIO: o->paths[4] = arg; break;
	}
}

static const struct sdc_cli cli = {
	"--site FILE [options] [FILE ...]",
	"Locate shoppers' devices from WiFi and BLE sightings: positions, "
	"visits, foot traffic.",
	"  sdc-locate --site mall.json --key-file mall.key --state mall.state \\\n"
	"    < sightings.sdc > located.sdc\n"
	"  sdc-locate -s mall.json -k mall.key --emit visits,traffic "
	"sightings.sdc",
	options,
	handle
};

static void
check(const struct sdc_locate_options *o)
{
	if (o->site_path == NULL)
		sdc_usage_error("--site is required");
	if (o->emit == 0)
		sdc_usage_error("--emit: nothing to emit");
	if (o->idle_ms < o->visit_gap_ms)
		sdc_usage_error("--idle-timeout must be at least --visit-gap");
	if (o->traffic_ms < o->window_ms)
		sdc_usage_error("--traffic-interval must be at least --window");
}

int
main(int argc, char **argv)
{
	struct locate_args a;
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_secret key;
	struct sdc_locate *engine;
	char *stdin_only[] = { "-", NULL };
	int first;

	memset(&a, 0, sizeof a);
	sdc_locate_options_init(&a.o);
	sdc_options_init(&opt);
	first = sdc_cli_parse(&cli, &opt, &a, argc, argv);
	check(&a.o);
	sdc_secret_load(&key, a.key_file, KEY_ENV, "key for the device ids",
	    "--key-file");
	a.o.key = key.data;
	a.o.key_len = key.len;
	engine = sdc_locate_open(&a.o);
	sdc_run_start(&run, sdc_progname(), &opt, NULL);
	sdc_locate_run(engine, &run, (const char *const *)(first < argc ?
	    argv + first : stdin_only));
	sdc_locate_free(engine);
	sdc_secret_release(&key);
	return sdc_run_finish(&run);
}
