/*
 * The pieces of sdc-locate's engine: polygons and segments, MAC
 * addresses and keyed ids (against RFC 4231's HMAC-SHA256 vector),
 * quantiles of dwell, the state file's round trip, and the model's
 * exact answers on noise-free RSSI, on one floor and on two.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devid.h"
#include "geom.h"
#include "history.h"
#include "model.h"
#include "site.h"
#include "traffic.h"
#include "tap.h"

static const char two_floors[] =
    "{\"floors\": [{\"id\": 0, \"outline\": [[0,0],[60,0],[60,30],[0,30]]},"
    " {\"id\": 1, \"height\": 5, \"outline\": [[0,0],[60,0],[60,30],[0,30]]}],"
    " \"radios\": {\"wifi\": {\"rssi_1m\": -40, \"path_loss_exponent\": 2.5,"
    " \"shadowing_db\": 5, \"sensitivity\": -110, \"miss_probability\": 0}},"
    " \"sensors\": ["
    " {\"id\": \"g1\", \"x\": 5, \"y\": 5, \"floor\": 0, \"radio\": \"wifi\"},"
    " {\"id\": \"g2\", \"x\": 55, \"y\": 5, \"floor\": 0, \"radio\": \"wifi\"},"
    " {\"id\": \"g3\", \"x\": 30, \"y\": 25, \"floor\": 0, \"radio\": \"wifi\"},"
    " {\"id\": \"g4\", \"x\": 5, \"y\": 25, \"floor\": 0, \"radio\": \"wifi\"},"
    " {\"id\": \"f1\", \"x\": 5, \"y\": 5, \"floor\": 1, \"radio\": \"wifi\"},"
    " {\"id\": \"f2\", \"x\": 55, \"y\": 25, \"floor\": 1, \"radio\": \"wifi\"},"
    " {\"id\": \"f3\", \"x\": 30, \"y\": 5, \"floor\": 1, \"radio\": \"wifi\"}],"
    " \"zones\": [{\"id\": \"s1\", \"kind\": \"store\", \"floor\": 0,"
    " \"polygon\": [[0,0],[30,0],[30,30],[0,30]]},"
    " {\"id\": \"s2\", \"kind\": \"store\", \"floor\": 1,"
    " \"polygon\": [[0,0],[30,0],[30,30],[0,30]]}]}";

static void
test_geometry(void)
{
	struct sdc_point sq[] = { { 0, 0 }, { 10, 0 }, { 10, 10 }, { 0, 10 } };
	struct sdc_point bow[] = { { 0, 0 }, { 10, 10 }, { 10, 0 }, { 0, 10 } };
	struct sdc_polygon p = { sq, 4, 0, 0, 0, 0 }, b = { bow, 4, 0, 0, 0, 0 };
	size_t i, j;

	sdc_polygon_bound(&p);
	ok(sdc_polygon_contains(&p, (struct sdc_point){ 5, 5 }), "inside");
	ok(!sdc_polygon_contains(&p, (struct sdc_point){ 11, 5 }), "outside");
	ok(fabs(sdc_polygon_edge_distance(&p, (struct sdc_point){ 3, 5 }) - 3)
	    < 1e-12, "3 m from the nearest edge");
	ok(fabs(sdc_polygon_area(&p) - 100) < 1e-12, "area");
	ok(!sdc_polygon_self_intersects(&p, &i, &j), "a square is simple");
	ok(sdc_polygon_self_intersects(&b, &i, &j) && i == 0 && j == 2,
	    "a bow tie crosses itself at edges 0 and 2");
	ok(sdc_segments_cross((struct sdc_point){ 0, 0 },
	    (struct sdc_point){ 2, 2 }, (struct sdc_point){ 0, 2 },
	    (struct sdc_point){ 2, 0 }), "an X crosses");
	ok(!sdc_segments_cross((struct sdc_point){ 0, 0 },
	    (struct sdc_point){ 2, 0 }, (struct sdc_point){ 2, 0 },
	    (struct sdc_point){ 2, 2 }), "an L only touches");
	ok(sdc_segments_meet((struct sdc_point){ 0, 0 },
	    (struct sdc_point){ 2, 0 }, (struct sdc_point){ 2, 0 },
	    (struct sdc_point){ 2, 2 }), "but meets");
}

static void
test_macs(void)
{
	is_int(sdc_mac_is_random("3c:22:fb:01:02:03", 17), 0, "a vendor MAC");
	is_int(sdc_mac_is_random("3e:22:fb:01:02:03", 17), 1,
	    "the locally administered bit");
	is_int(sdc_mac_is_random("DA-A1-19-00-00-01", 17), 1, "dashes, capitals");
	is_int(sdc_mac_is_random("daa1.1900.0001", 14), 1, "Cisco's dots");
	is_int(sdc_mac_is_random("3c22fb010203", 12), 0, "12 hex digits");
	is_int(sdc_mac_is_random("3c:22:fb:01:02", 14), -1, "too short");
	is_int(sdc_mac_is_random("3c:22-fb:01:02:03", 17), -1, "mixed");
	is_int(sdc_mac_is_random("device-0001", 11), -1, "not a MAC");
}

/* RFC 4231, test case 2: key "Jefe". */
static void
test_hmac(void)
{
	const char *msg = "what do ya want for nothing?";
	uint8_t out[SDC_DEVID_LEN], back[SDC_DEVID_LEN];
	char hex[SDC_DEVID_HEX + 1] = { 0 };
	struct sdc_devid d;
	uint8_t long_key[131];

	sdc_devid_init(&d, (const uint8_t *)"Jefe", 4);
	sdc_devid_hash(&d, msg, strlen(msg), out);
	sdc_devid_hex(out, hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "HMAC-SHA256 of RFC 4231 case 2");
	ok(sdc_devid_from_hex(hex, SDC_DEVID_HEX, back) &&
	    memcmp(back, out, sizeof out) == 0, "hex back to bytes");
	sdc_devid_release(&d);
	memset(long_key, 0xaa, sizeof long_key);	/* case 6 */
	sdc_devid_init(&d, long_key, sizeof long_key);
	msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	sdc_devid_hash(&d, msg, strlen(msg), out);
	sdc_devid_hex(out, hex);
	is_str(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "a key longer than a block is hashed first (case 6)");
	sdc_devid_release(&d);
}

static void
test_quantiles(void)
{
	struct sdc_traffic t;
	struct sdc_traffic_cell *c;
	int i;

	sdc_traffic_init(&t, 2, 900000);
	c = sdc_traffic_cell(&t, 1, 3);
	for (i = 10; i >= 1; i--)
		sdc_traffic_add_dwell(c, i * 10.0);
	ok(fabs(sdc_traffic_quantile(c, 0.5) - 55) < 1e-9, "median of 10..100");
	ok(fabs(sdc_traffic_quantile(c, 0.9) - 91) < 1e-9, "p90 of 10..100");
	ok(sdc_traffic_cell(&t, 1, 3) == c, "the same cell again");
	is_int(sdc_traffic_interval(&t, -1), -1, "intervals before 1970");
	sdc_traffic_release(&t);
}

/* Noise-free RSSI at (x, y) on floor from every sensor that hears it. */
static uint32_t
exact_heard(const struct sdc_site *s, double x, double y, uint32_t floor,
    struct sdc_heard *h)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->nsensors; i++)
		h[n++] = (struct sdc_heard){ (uint16_t)i, 0, 3,
			sdc_model_expected(s, i, 0, x, y, floor) };
	return n;
}

static void
test_model(const struct sdc_site *s)
{
	static const double places[][3] = { { 12, 9, 0 }, { 40, 20, 0 },
		{ 20, 15, 1 }, { 50, 8, 1 } };
	struct sdc_heard h[16];
	struct sdc_model m;
	size_t i;

	sdc_model_init(&m, s, SDC_EST_ML);
	for (i = 0; i < sizeof places / sizeof *places; i++) {
		struct sdc_fix_input in = { h, 0, 0, 16, false, 0, 0, 0 };
		struct sdc_fix f;

		in.nheard = exact_heard(s, places[i][0], places[i][1],
		    (uint32_t)places[i][2], h);
		ok(sdc_model_fix(&m, &in, &f) && f.fitted, "a fit");
		ok(hypot(f.x - places[i][0], f.y - places[i][1]) < 0.05 &&
		    f.floor == (uint32_t)places[i][2],
		    "noise-free: (%g, %g) on floor %g, within 5 cm: (%.3f, %.3f) "
		    "on %u", places[i][0], places[i][1], places[i][2], f.x, f.y,
		    f.floor);
		ok(fabs(f.offset) < 0.05, "and no offset: %.3f", f.offset);
	}
	sdc_model_release(&m);
}

static void
test_state(const struct sdc_site *s)
{
	char path[] = "/tmp/sdc-test-state.XXXXXX", err[160];
	struct sdc_history_table t, back;
	struct sdc_history *h;
	uint8_t id[SDC_DEVID_LEN];
	int fd = mkstemp(path);

	close(fd);
	sdc_history_init(&t);
	memset(id, 7, sizeof id);
	h = sdc_history_add(&t, id);
	h->first_ms = 1000;
	h->last_ms = 86400000;
	h->center_visits = 3;
	h->offset = -2.5;
	h->offset_var = 0.5;
	is_int(sdc_history_count_visit(h, 1, 5000), 0, "a first visit to s2");
	is_int(sdc_history_count_visit(h, 1, 6000), 1, "a second");
	id[0] = 8;
	sdc_history_add(&t, id)->last_ms = 10;	/* forgotten */
	ok(sdc_history_save(&t, s, path, 1000, err, sizeof err) == 0,
	    "saved: %s", err);
	sdc_history_init(&back);
	ok(sdc_history_load(&back, s, path, 1 << 20, err, sizeof err) == 0,
	    "loaded: %s", err);
	is_int((long)back.n, 1, "the forgotten device left out");
	memset(id, 7, sizeof id);
	h = sdc_history_find(&back, id);
	ok(h != NULL && h->center_visits == 3 && h->offset == -2.5 &&
	    h->first_ms == 1000 && h->last_ms == 86400000, "as it was");
	ok(h != NULL && sdc_history_store_visits(h, 1) == 2 &&
	    h->stores[0].last_ms == 6000, "its visits to s2");
	sdc_history_release(&t);
	sdc_history_release(&back);
	unlink(path);
}

int
main(void)
{
	struct sdc_site s;
	char err[160];

	test_geometry();
	test_macs();
	test_hmac();
	test_quantiles();
	ok(sdc_site_parse(&s, "two floors", two_floors, sizeof two_floors - 1,
	    err, sizeof err) == 0, "the site loads: %s", err);
	test_model(&s);
	test_state(&s);
	sdc_site_release(&s);
	return tap_done();
}
