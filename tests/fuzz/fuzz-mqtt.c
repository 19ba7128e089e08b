/*
 * libFuzzer harness for the MQTT packets and the client: any bytes,
 * decoded as one packet of each protocol version, and fed as a
 * broker's stream to a client in chunks, with acks now or later,
 * keepalive ticks and reconnections.  A message delivered must have a
 * valid topic and lie inside the input; what the client sends must
 * decode.  Built by scripts/fuzz.
 *
 * The first byte chooses: bit 0 the version, bits 1-3 the chunk size,
 * bit 4 acks deferred, bit 5 a persistent session, bit 6 the
 * connection lost after each message, bit 7 time jumping to deadlines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt-client.h"
#include "mqtt-packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sdc_mqtt_subscription subs[] = {
	{ "sensors/+/temp", 1, 0 }, { "#", 2, 0 } };

static void
decode_all(const uint8_t *data, size_t size)
{
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	struct sdc_mqtt_bytes list, f;
	size_t total;
	uint8_t o;

	for (uint8_t v = SDC_MQTT_V311; v <= SDC_MQTT_V5; v++) {
		if (sdc_mqtt_decode(&pk, data, size, v, &err) &&
		    pk.type == SDC_MQTT_SUBSCRIBE) {
			list = pk.list;
			while (sdc_mqtt_next_filter(&list, &f, &o))
				if (!sdc_mqtt_filter_valid(f.p, f.n,
				    &err.reason))
					abort();
		}
		if (sdc_mqtt_frame(data, size, 1 << 20, &total, &err) == 1 &&
		    total > size && size > 0)
			sdc_mqtt_decode_publish_head(&pk, data, size, v, &err);
	}
}

/* What the client sent decodes packet by packet. */
static void
drain(struct sdc_mqtt_client *c)
{
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	size_t n, total, at = 0;
	const uint8_t *out = sdc_mqtt_client_output(c, &n);

	while (at < n) {
		if (sdc_mqtt_frame(out + at, n - at, SIZE_MAX, &total,
		    &err) != 1 || total > n - at ||
		    !sdc_mqtt_decode(&pk, out + at, total, c->cfg.version,
		    &err))
			abort();
		at += total;
	}
	sdc_mqtt_client_sent(c, n);
}

static void
check(const struct sdc_mqtt_message *m, const uint8_t *lo, const uint8_t *hi)
{
	const char *why;

	if (!sdc_mqtt_topic_valid(m->topic.p, m->topic.n, &why))
		abort();
	if (m->payload.p && (m->payload.p < lo ||
	    m->payload.p + m->payload.n > hi))
		abort();
}

static void
run_client(const uint8_t *data, size_t size, uint8_t mode)
{
	struct sdc_mqtt_client_config cfg = {
		.version = mode & 1 ? SDC_MQTT_V5 : SDC_MQTT_V311,
		.client_id = "fuzz", .clean = !(mode & 0x20), .keepalive = 5,
		.receive_max = 4, .max_packet = 256, .subs = subs, .nsubs = 2 };
	struct sdc_mqtt_client c;
	struct sdc_mqtt_event ev;
	struct sdc_mqtt_message later[8];
	size_t chunk = ((mode >> 1) & 7) * 9 + 1, at = 0, nlater = 0;
	int64_t now = 0;
	int connects = 0;

	sdc_mqtt_client_init(&c, &cfg);
	sdc_mqtt_client_connect(&c, now);
	while (at < size && connects < 4) {
		size_t n = size - at < chunk ? size - at : chunk;

		at += sdc_mqtt_client_feed(&c, data + at, n, now);
		now += 1000;
		if (mode & 0x80 && sdc_mqtt_client_deadline(&c) < INT64_MAX)
			now = sdc_mqtt_client_deadline(&c);
		sdc_mqtt_client_tick(&c, now);
		while (sdc_mqtt_client_next(&c, &ev) != SDC_MQTT_EV_NONE) {
			if (ev.type == SDC_MQTT_EV_MESSAGE ||
			    ev.type == SDC_MQTT_EV_OVERSIZE) {
				check(&ev.message, c.in.data,
				    c.in.data + c.in.len);
				if (!(mode & 0x10))
					sdc_mqtt_client_ack(&c, &ev.message);
				else if (nlater < 8)
					later[nlater++] = ev.message;
				if (mode & 0x40)
					sdc_mqtt_client_lost(&c, "fuzz");
			} else if (ev.type == SDC_MQTT_EV_CLOSED) {
				connects++;
				sdc_mqtt_client_connect(&c, now);
			}
		}
		if (nlater == 8 || (mode & 0x10 && at == size)) {
			sdc_mqtt_client_pause(&c, true, now);
			while (nlater > 0)
				sdc_mqtt_client_ack(&c, &later[--nlater]);
			sdc_mqtt_client_pause(&c, false, now);
		}
		drain(&c);
	}
	sdc_mqtt_client_disconnect(&c);
	drain(&c);
	sdc_mqtt_client_release(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	decode_all(data + 1, size - 1);
	run_client(data + 1, size - 1, data[0]);
	return 0;
}
