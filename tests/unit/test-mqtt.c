/*
 * The MQTT packets, byte for byte as the MQTT 3.1.1 and 5 specifications
 * lay them out, and the client's session driven without a socket: the
 * broker's packets fed in, what the client sends read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt-client.h"
#include "mqtt-packet.h"
#include "tap.h"

#define BYTES(...)	((const uint8_t[]){ __VA_ARGS__ })
#define LEN(...)	sizeof((const uint8_t[]){ __VA_ARGS__ })
#define PACKET(...)	BYTES(__VA_ARGS__), LEN(__VA_ARGS__)

static bool
same(const struct sdc_buf *b, const uint8_t *want, size_t n)
{
	bool eq = b->len == n && memcmp(b->data, want, n) == 0;

	if (!eq) {
		printf("#   got");
		for (size_t i = 0; i < b->len; i++)
			printf(" %02x", b->data[i]);
		printf("\n");
	}
	return eq;
}

static bool
bytes_are(struct sdc_mqtt_bytes v, const char *s)
{
	return v.n == strlen(s) && memcmp(v.p, s, v.n) == 0;
}

static void
test_frame(void)
{
	static const struct {
		uint8_t		head[5];
		size_t		n;
		size_t		remaining;
	} lengths[] = {	/* the examples of MQTT 3.1.1 table 2.4 */
		{ { 0x30, 0x00 }, 2, 0 },
		{ { 0x30, 0x7f }, 2, 127 },
		{ { 0x30, 0x80, 0x01 }, 3, 128 },
		{ { 0x30, 0xff, 0x7f }, 3, 16383 },
		{ { 0x30, 0x80, 0x80, 0x01 }, 4, 16384 },
		{ { 0x30, 0xff, 0xff, 0x7f }, 4, 2097151 },
		{ { 0x30, 0x80, 0x80, 0x80, 0x01 }, 5, 2097152 },
		{ { 0x30, 0xff, 0xff, 0xff, 0x7f }, 5, 268435455 },
	};
	struct sdc_mqtt_error err;
	size_t total;

	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		total = 0;
		ok(sdc_mqtt_frame(lengths[i].head, lengths[i].n, SIZE_MAX,
		    &total, &err) == 1 &&
		    total == lengths[i].n + lengths[i].remaining,
		    "remaining length %zu", lengths[i].remaining);
		ok(sdc_mqtt_frame(lengths[i].head, lengths[i].n - 1, SIZE_MAX,
		    &total, &err) == 0, "its header cut short needs more");
	}
	ok(sdc_mqtt_frame(PACKET(0x30, 0xff, 0xff, 0xff, 0xff, 0x01),
	    SIZE_MAX, &total, &err) == -1, "a varint of 5 bytes: refused");
	ok(err.offset == 1 && strstr(err.reason, "4 bytes"), "%s at %zu",
	    err.reason, err.offset);
	ok(sdc_mqtt_frame(PACKET(0x30, 0x80, 0x00), SIZE_MAX, &total,
	    &err) == -1 && strstr(err.reason, "fewest"),
	    "a varint not minimal: refused");
	ok(sdc_mqtt_frame(PACKET(0x30, 0x80, 0x01), 100, &total, &err) == -1 &&
	    err.code == SDC_MQTT_RC_TOO_LARGE && total == 131,
	    "131 bytes over a limit of 100: refused from the header alone");
}

static void
test_connect(void)
{
	struct sdc_buf b;
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	struct sdc_mqtt_connect c = { .version = SDC_MQTT_V311,
	    .client_id = "sdc", .clean = true, .keepalive = 60 };

	sdc_buf_init(&b, 4096);
	ok(sdc_mqtt_put_connect(&b, &c) && same(&b, PACKET(0x10, 0x0f,
	    0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 3, 's', 'd', 'c')),
	    "CONNECT 3.1.1, clean, keepalive 60");
	ok(sdc_mqtt_decode(&pk, b.data, b.len, 0, &err) &&
	    pk.type == SDC_MQTT_CONNECT && pk.connect.version == 4 &&
	    pk.connect.clean && pk.connect.keepalive == 60 &&
	    bytes_are(pk.connect.client_id, "sdc"), "decodes back");
	sdc_buf_reset(&b);
	c.version = SDC_MQTT_V5;
	c.clean = false;
	c.session_expiry = 3600;
	c.receive_max = 16;
	ok(sdc_mqtt_put_connect(&b, &c) && same(&b, PACKET(0x10, 0x18,
	    0, 4, 'M', 'Q', 'T', 'T', 5, 0x00, 0, 60,
	    8, 0x11, 0, 0, 0x0e, 0x10, 0x21, 0, 16, 0, 3, 's', 'd', 'c')),
	    "CONNECT 5: session expiry 3600 s, receive maximum 16");
	ok(sdc_mqtt_decode(&pk, b.data, b.len, 0, &err) &&
	    pk.connect.version == 5 && !pk.connect.clean &&
	    pk.props.session_expiry == 3600 && pk.props.receive_max == 16,
	    "decodes back with its properties");
	sdc_buf_reset(&b);
	c.version = SDC_MQTT_V311;
	c.username = "u";
	c.password = (const uint8_t *)"pw";
	c.password_len = 2;
	ok(sdc_mqtt_put_connect(&b, &c) && b.data[9] == 0xc0 &&
	    sdc_mqtt_decode(&pk, b.data, b.len, 0, &err) &&
	    bytes_are(pk.connect.username, "u") &&
	    bytes_are(pk.connect.password, "pw"), "user name and password");
	sdc_buf_reset(&b);
	c.username = NULL;
	ok(!sdc_mqtt_put_connect(&b, &c) && b.len == 0,
	    "3.1.1: a password without a user name is not written");
	c.client_id = "a\xff";
	c.password = NULL;
	ok(!sdc_mqtt_put_connect(&b, &c) && b.len == 0,
	    "nor a client id not UTF-8");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T',
	    4, 0x03, 0, 0, 0, 0), 0, &err) && err.offset == 9,
	    "CONNECT's reserved flag: refused at byte 9");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T',
	    3, 0x02, 0, 0, 0, 0), 0, &err) && err.offset == 8 &&
	    err.code == 0x84, "protocol level 3: refused, unsupported");
	sdc_buf_release(&b);
}

static void
test_subscribe(void)
{
	struct sdc_buf b;
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	struct sdc_mqtt_bytes list, f;
	uint8_t o;
	const struct sdc_mqtt_subscription subs[] = {
		{ "a/+", 1, 0 }, { "b/#", 2, 0 } };
	const struct sdc_mqtt_subscription bad[] = {
		{ "a/b#", 0, 0 }, { "a+", 0, 0 }, { "#/a", 0, 0 }, { "", 0, 0 },
		{ "ok", 3, 0 } };
	const char *unsub[] = { "a/+" };

	sdc_buf_init(&b, 4096);
	ok(sdc_mqtt_put_subscribe(&b, 4, 1, subs, 2) && same(&b, PACKET(
	    0x82, 0x0e, 0, 1, 0, 3, 'a', '/', '+', 1, 0, 3, 'b', '/', '#', 2)),
	    "SUBSCRIBE of two filters, QoS 1 and 2");
	ok(sdc_mqtt_decode(&pk, b.data, b.len, 4, &err) &&
	    pk.packet_id == 1, "decodes back");
	list = pk.list;
	ok(sdc_mqtt_next_filter(&list, &f, &o) && bytes_are(f, "a/+") &&
	    o == 1 && sdc_mqtt_next_filter(&list, &f, &o) &&
	    bytes_are(f, "b/#") && o == 2 &&
	    !sdc_mqtt_next_filter(&list, &f, &o), "its filters walked");
	sdc_buf_reset(&b);
	ok(sdc_mqtt_put_subscribe(&b, 5, 2, subs, 1) && same(&b, PACKET(
	    0x82, 0x09, 0, 2, 0, 0, 3, 'a', '/', '+', 1)),
	    "MQTT 5: with an empty property length");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sdc_buf_reset(&b);
		ok(!sdc_mqtt_put_subscribe(&b, 4, 1, &bad[i], 1) && b.len == 0,
		    "filter \"%s\" QoS %u refused", bad[i].filter, bad[i].qos);
	}
	ok(!sdc_mqtt_decode(&pk, PACKET(0x80, 0x06, 0, 1, 0, 1, 'a', 0), 4,
	    &err) && err.offset == 0, "SUBSCRIBE with flags 0: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x82, 0x06, 0, 1, 0, 1, 'a', 4), 4,
	    &err) && err.offset == 7, "3.1.1 option bits reserved: at 7");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x82, 0x02, 0, 1), 4, &err) &&
	    err.code == SDC_MQTT_RC_PROTOCOL, "no filter: a protocol error");
	sdc_buf_reset(&b);
	ok(sdc_mqtt_put_unsubscribe(&b, 4, 3, unsub, 1) && same(&b, PACKET(
	    0xa2, 0x07, 0, 3, 0, 3, 'a', '/', '+')), "UNSUBSCRIBE");
	sdc_buf_release(&b);
}

static void
test_connack(void)
{
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;

	ok(sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x00, 0x00), 4, &err) &&
	    !pk.session_present && pk.reason == 0, "CONNACK accepted");
	ok(sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x01, 0x00), 4, &err) &&
	    pk.session_present, "with the session present");
	ok(sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x00, 0x05), 4, &err) &&
	    pk.reason == 5, "refused: not authorized");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x02, 0x00), 4, &err) &&
	    err.offset == 2, "reserved acknowledge flags: refused at 2");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x00, 0x06), 4, &err) &&
	    err.offset == 3, "3.1.1 return code 6: refused at 3");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x02, 0x01, 0x05), 4, &err),
	    "a session present with a refusal: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x03, 0x00, 0x00, 0x00), 4,
	    &err) && strstr(err.reason, "after the end"),
	    "3.1.1: a third byte is refused");
	ok(sdc_mqtt_decode(&pk, PACKET(0x20, 0x09, 0x00, 0x00, 0x06,
	    0x13, 0x00, 0x1e, 0x21, 0x00, 0x0a), 5, &err) &&
	    pk.props.server_keepalive == 30 && pk.props.receive_max == 10 &&
	    sdc_mqtt_has(&pk.props, 0x13),
	    "CONNACK 5: keep alive, receive max");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x09, 0x00, 0x00, 0x06,
	    0x21, 0x00, 0x0a, 0x21, 0x00, 0x0a), 5, &err) &&
	    err.offset == 8 && err.code == SDC_MQTT_RC_PROTOCOL,
	    "a property twice: a protocol error at its second");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x06, 0x00, 0x00, 0x03,
	    0x23, 0x00, 0x01), 5, &err) && err.offset == 5 &&
	    strstr(err.reason, "not allowed"),
	    "topic alias in CONNACK: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x06, 0x00, 0x00, 0x03,
	    0x21, 0x00, 0x00), 5, &err) && err.offset == 6,
	    "receive maximum 0: refused at its value");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x05, 0x00, 0x00, 0x02,
	    0x7f, 0x00), 5, &err) && strstr(err.reason, "unknown property"),
	    "an unknown property identifier");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x04, 0x00, 0x00, 0x05, 0x11),
	    5, &err) && strstr(err.reason, "property length"),
	    "a property length past the packet");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x20, 0x03, 0x00, 0x00, 0x00, 0x00),
	    5, &err) && err.offset == 1, "remaining length not the packet's");
}

static void
test_publish(void)
{
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;

	ok(sdc_mqtt_decode(&pk, PACKET(0x30, 0x07, 0, 3, 'a', '/', 'b',
	    'h', 'i'), 4, &err) && pk.qos == 0 && bytes_are(pk.topic, "a/b") &&
	    bytes_are(pk.payload, "hi"), "PUBLISH QoS 0");
	ok(sdc_mqtt_decode(&pk, PACKET(0x3b, 0x09, 0, 3, 'a', '/', 'b',
	    0, 10, 'h', 'i'), 4, &err) && pk.qos == 1 && pk.dup &&
	    pk.retain && pk.packet_id == 10 && bytes_are(pk.payload, "hi"),
	    "PUBLISH QoS 1, DUP, RETAIN, packet id 10");
	ok(sdc_mqtt_decode(&pk, PACKET(0x30, 0x05, 0, 3, 'a', '/', 'b'), 4,
	    &err) && pk.payload.n == 0, "an empty payload");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x36, 0x07, 0, 3, 'a', '/', 'b',
	    0, 1), 4, &err) && err.offset == 0, "QoS 3: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x38, 0x05, 0, 3, 'a', '/', 'b'), 4,
	    &err), "QoS 0 with DUP: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x32, 0x07, 0, 3, 'a', '/', 'b',
	    0, 0), 4, &err) && err.offset == 7 &&
	    strstr(err.reason, "identifier 0"), "packet id 0: refused at 7");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x05, 0, 3, 'a', 0xff, 'b'), 4,
	    &err) && err.offset == 2, "a topic not UTF-8: refused at 2");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x06, 0, 4, 'a', 0xed, 0xa0,
	    0x80), 4, &err), "a topic with a surrogate: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x05, 0, 3, 'a', 0, 'b'), 4,
	    &err), "a topic with U+0000: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x05, 0, 3, 'a', '/', '+'), 4,
	    &err) && strstr(err.reason, "wildcard"), "a wildcard: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x02, 0, 0), 4, &err),
	    "3.1.1: an empty topic refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x09, 0, 3, 'a', '/', 'b'), 4,
	    &err), "a string longer than the packet: refused");
	ok(sdc_mqtt_decode(&pk, PACKET(0x32, 0x13, 0, 3, 'a', '/', 'b', 0, 10,
	    0x09, 0x01, 0x01, 0x03, 0, 4, 'j', 's', 'o', 'n', '{', '}'), 5,
	    &err) && pk.props.payload_format == 1 &&
	    bytes_are(pk.props.content_type, "json") &&
	    bytes_are(pk.payload, "{}"), "PUBLISH 5: format and content type");
	ok(sdc_mqtt_decode(&pk, PACKET(0x30, 0x0a, 0, 1, 'a', 0x04,
	    0x0b, 0x01, 0x0b, 0x02, 'x', 'y'), 5, &err) &&
	    pk.props.subscription_id == 1, "two subscription ids in PUBLISH");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x06, 0, 1, 'a', 0x02, 0x01,
	    0x02), 5, &err) && err.offset == 7, "payload format 2: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x30, 0x03, 0, 0, 0), 5, &err) &&
	    strstr(err.reason, "topic alias"), "5: empty topic, no alias");
}

static void
test_acks(void)
{
	struct sdc_buf b;
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;

	sdc_buf_init(&b, 64);
	ok(sdc_mqtt_put_ack(&b, 4, SDC_MQTT_PUBACK, 5, 0) &&
	    same(&b, PACKET(0x40, 0x02, 0, 5)), "PUBACK");
	sdc_buf_reset(&b);
	ok(sdc_mqtt_put_ack(&b, 4, SDC_MQTT_PUBREL, 5, 0) &&
	    same(&b, PACKET(0x62, 0x02, 0, 5)), "PUBREL has flags 0010");
	sdc_buf_reset(&b);
	ok(sdc_mqtt_put_ack(&b, 5, SDC_MQTT_PUBCOMP, 5, 0x92) &&
	    same(&b, PACKET(0x70, 0x03, 0, 5, 0x92)),
	    "PUBCOMP 5 with reason 0x92");
	sdc_buf_reset(&b);
	ok(!sdc_mqtt_put_ack(&b, 4, SDC_MQTT_PUBACK, 0, 0) && b.len == 0,
	    "packet id 0 is not written");
	ok(sdc_mqtt_put_empty(&b, SDC_MQTT_PINGREQ) &&
	    same(&b, PACKET(0xc0, 0x00)), "PINGREQ");
	sdc_buf_reset(&b);
	ok(sdc_mqtt_put_disconnect(&b, 5, 0x81) &&
	    same(&b, PACKET(0xe0, 0x01, 0x81)), "DISCONNECT 5, malformed");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x60, 0x02, 0, 5), 4, &err) &&
	    strstr(err.reason, "flags"), "PUBREL with flags 0: refused");
	ok(sdc_mqtt_decode(&pk, PACKET(0x40, 0x03, 0, 1, 0x10), 5, &err) &&
	    pk.reason == 0x10, "PUBACK 5 with reason 0x10 (no subscribers)");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x40, 0x03, 0, 1, 0x10), 4, &err),
	    "the same in 3.1.1: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x40, 0x03, 0, 1, 0x05), 5, &err) &&
	    err.offset == 4, "a reason code not of PUBACK: refused at 4");
	ok(sdc_mqtt_decode(&pk, PACKET(0xd0, 0x00), 4, &err) &&
	    pk.type == SDC_MQTT_PINGRESP, "PINGRESP");
	ok(!sdc_mqtt_decode(&pk, PACKET(0xd0, 0x01, 0x00), 4, &err) &&
	    err.offset == 2, "PINGRESP with a byte: refused at 2");
	ok(sdc_mqtt_decode(&pk, PACKET(0xe0, 0x02, 0x8b, 0x00), 5, &err) &&
	    pk.reason == 0x8b, "DISCONNECT 5: server shutting down");
	ok(!sdc_mqtt_decode(&pk, PACKET(0xf0, 0x00), 4, &err),
	    "AUTH in 3.1.1: refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x00, 0x00), 4, &err),
	    "packet type 0: refused");
	ok(sdc_mqtt_decode(&pk, PACKET(0x90, 0x04, 0, 1, 0x01, 0x80), 4,
	    &err) && pk.list.n == 2, "SUBACK: QoS 1 granted, one refused");
	ok(!sdc_mqtt_decode(&pk, PACKET(0x90, 0x03, 0, 1, 0x03), 4, &err),
	    "SUBACK code 3: refused");
	sdc_buf_release(&b);
}

static void
test_topics(void)
{
	static const struct {
		const char	*filter, *topic;
		bool		 match;
	} cases[] = {	/* MQTT 3.1.1 section 4.7 */
		{ "sport/tennis/player1/#", "sport/tennis/player1", true },
		{ "sport/tennis/player1/#", "sport/tennis/player1/ranking",
		    true },
		{ "sport/tennis/player1/#",
		    "sport/tennis/player1/score/wimbledon", true },
		{ "sport/#", "sport", true },
		{ "#", "sport/tennis", true },
		{ "sport/tennis/+", "sport/tennis/player1", true },
		{ "sport/tennis/+", "sport/tennis/player1/ranking", false },
		{ "sport/+", "sport", false },
		{ "sport/+", "sport/", true },
		{ "+/+", "/finance", true },
		{ "/+", "/finance", true },
		{ "+", "/finance", false },
		{ "#", "$SYS/broker", false },
		{ "+/monitor/Clients", "$SYS/monitor/Clients", false },
		{ "$SYS/#", "$SYS/broker", true },
		{ "$SYS/monitor/+", "$SYS/monitor/Clients", true },
		{ "a/b", "a/b", true },
		{ "a/b", "a/bc", false },
	};
	const char *why;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(sdc_mqtt_topic_matches((const uint8_t *)cases[i].filter,
		    strlen(cases[i].filter), (const uint8_t *)cases[i].topic,
		    strlen(cases[i].topic)) == cases[i].match,
		    "\"%s\" %s \"%s\"", cases[i].filter,
		    cases[i].match ? "matches" : "does not match",
		    cases[i].topic);
	ok(sdc_mqtt_filter_valid((const uint8_t *)"+/tennis/#", 10, &why),
	    "+/tennis/# is a valid filter");
	ok(!sdc_mqtt_filter_valid((const uint8_t *)"sport/tennis#", 13, &why),
	    "sport/tennis# is not");
	is_str(why, "'#' not the last whole level", "'#' in a level: why");
	ok(!sdc_mqtt_filter_valid((const uint8_t *)"sport+", 6, &why),
	    "sport+ is not");
	is_str(why, "'+' not a whole level of the filter",
	    "'+' in a level: why");
}

/* The client against a broker played by the test. */
struct play {
	struct sdc_mqtt_client	c;
	struct sdc_buf		b;	/* the broker's next packet */
	struct sdc_mqtt_event	ev;
};

static const struct sdc_mqtt_subscription play_subs[] = { { "s/#", 2, 0 } };

static void
play_init(struct play *t, uint8_t version, bool clean, uint16_t receive_max)
{
	struct sdc_mqtt_client_config cfg = {
		.version = version, .client_id = "t", .clean = clean,
		.keepalive = 10, .receive_max = receive_max,
		.max_packet = 100, .subs = play_subs, .nsubs = 1 };

	sdc_mqtt_client_init(&t->c, &cfg);
	sdc_buf_init(&t->b, 1 << 16);
}

static void
play_release(struct play *t)
{
	sdc_mqtt_client_release(&t->c);
	sdc_buf_release(&t->b);
}

/* Feed the broker's packet in b, then the event it makes. */
static enum sdc_mqtt_event_type
play_feed(struct play *t, int64_t now)
{
	size_t n = sdc_mqtt_client_feed(&t->c, t->b.data, t->b.len, now);
	enum sdc_mqtt_event_type e = sdc_mqtt_client_next(&t->c, &t->ev);

	if (n != t->b.len)
		printf("# fed %zu of %zu\n", n, t->b.len);
	sdc_buf_reset(&t->b);
	return e;
}

/* What the client sent since last asked, as its bytes. */
static bool
play_sent(struct play *t, const uint8_t *want, size_t n)
{
	size_t len;
	const uint8_t *p = sdc_mqtt_client_output(&t->c, &len);
	bool eq = len == n && (n == 0 || memcmp(p, want, n) == 0);

	if (!eq) {
		printf("#   sent");
		for (size_t i = 0; i < len; i++)
			printf(" %02x", p[i]);
		printf("\n");
	}
	sdc_mqtt_client_sent(&t->c, len);
	return eq;
}

static void
play_publish(struct play *t, uint8_t qos, uint16_t id, bool dup,
    const char *payload)
{
	struct sdc_mqtt_publish m = { .topic = "s/1", .qos = qos,
	    .packet_id = id, .dup = dup, .payload = (const uint8_t *)payload,
	    .payload_len = strlen(payload) };

	sdc_mqtt_put_publish(&t->b, t->c.cfg.version, &m);
}

static void
play_connect(struct play *t, bool session_present, int64_t now)
{
	sdc_mqtt_client_connect(&t->c, now);
	play_sent(t, NULL, 0);
	sdc_mqtt_put_connack(&t->b, t->c.cfg.version, session_present, 0);
	play_feed(t, now);
	play_sent(t, NULL, 0);
	sdc_mqtt_put_suback(&t->b, t->c.cfg.version, t->c.sub_id,
	    BYTES(2), 1);
	play_feed(t, now);
}

static void
test_client_connect(void)
{
	struct play t;

	play_init(&t, 4, true, 0);
	sdc_mqtt_client_connect(&t.c, 0);
	ok(play_sent(&t, PACKET(0x10, 0x0d, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02,
	    0, 10, 0, 1, 't')), "connect: CONNECT queued");
	sdc_buf_append(&t.b, PACKET(0x20, 0x02, 0x00, 0x00));
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CONNECTED &&
	    !t.ev.session_present, "CONNACK: connected");
	ok(play_sent(&t, PACKET(0x82, 0x08, 0, 1, 0, 3, 's', '/', '#', 2)),
	    "and SUBSCRIBE sent");
	sdc_buf_append(&t.b, PACKET(0x90, 0x03, 0, 1, 0x01));
	ok(play_feed(&t, 2) == SDC_MQTT_EV_SUBSCRIBED && t.ev.granted.n == 1 &&
	    t.ev.granted.p[0] == 1, "SUBACK: subscribed, QoS 1 granted");
	sdc_buf_append(&t.b, PACKET(0x90, 0x03, 0, 1, 0x01));
	ok(play_feed(&t, 3) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "not subscribed with"),
	    "a SUBACK again: closed");
	play_release(&t);

	play_init(&t, 4, true, 0);
	sdc_mqtt_client_connect(&t.c, 0);
	sdc_buf_append(&t.b, PACKET(0x20, 0x02, 0x00, 0x05));
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED && t.ev.code == 5,
	    "CONNACK 5: closed");
	is_str(t.ev.reason, "broker refused the connection: not authorized",
	    "with the reason");
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_NONE &&
	    !sdc_mqtt_client_is_open(&t.c), "then nothing more");
	sdc_mqtt_client_connect(&t.c, 100);
	play_sent(&t, NULL, 0);
	ok(sdc_mqtt_client_deadline(&t.c) == 30100, "CONNACK due in 30 s");
	sdc_mqtt_client_tick(&t.c, 30100);
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "no CONNACK"), "none: closed");
	sdc_mqtt_client_connect(&t.c, 0);
	play_publish(&t, 0, 0, false, "x");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "before CONNACK"), "PUBLISH before CONNACK");
	play_release(&t);
}

static void
test_client_qos(void)
{
	struct play t;
	struct sdc_mqtt_message m;

	play_init(&t, 4, true, 0);
	play_connect(&t, false, 0);
	play_publish(&t, 0, 0, false, "zero");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE && t.ev.message.qos == 0 &&
	    bytes_are(t.ev.message.payload, "zero") &&
	    bytes_are(t.ev.message.topic, "s/1"), "QoS 0: delivered");
	play_publish(&t, 1, 5, false, "one");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE && t.ev.message.qos == 1 &&
	    t.ev.message.packet_id == 5, "QoS 1: delivered");
	m = t.ev.message;
	ok(play_sent(&t, NULL, 0) && sdc_mqtt_client_unacked(&t.c) == 1,
	    "and not acknowledged before the caller's ack");
	sdc_mqtt_client_ack(&t.c, &m);
	ok(play_sent(&t, PACKET(0x40, 0x02, 0, 5)) &&
	    sdc_mqtt_client_unacked(&t.c) == 0, "ack: PUBACK");
	sdc_mqtt_client_ack(&t.c, &m);
	ok(play_sent(&t, NULL, 0), "a second ack sends nothing");

	play_publish(&t, 2, 7, false, "two");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE && t.ev.message.qos == 2,
	    "QoS 2: delivered");
	m = t.ev.message;
	play_publish(&t, 2, 7, true, "two");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_NONE && play_sent(&t, NULL, 0),
	    "sent again (DUP) before the ack: not delivered twice");
	sdc_mqtt_client_ack(&t.c, &m);
	ok(play_sent(&t, PACKET(0x50, 0x02, 0, 7)), "ack: PUBREC");
	play_publish(&t, 2, 7, true, "two");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0x50, 0x02, 0, 7)),
	    "sent again after PUBREC: PUBREC again, not delivered");
	sdc_buf_append(&t.b, PACKET(0x62, 0x02, 0, 7));
	ok(play_feed(&t, 1) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0x70, 0x02, 0, 7)) &&
	    sdc_mqtt_client_unacked(&t.c) == 0, "PUBREL: PUBCOMP");
	play_publish(&t, 2, 7, false, "again");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE &&
	    bytes_are(t.ev.message.payload, "again"),
	    "the identifier, released, is a new message");
	play_publish(&t, 1, 7, false, "reused");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "reused packet identifier 7"),
	    "an identifier reused before its ack");
	play_release(&t);
}

static void
test_client_reconnect(void)
{
	struct play t;
	struct sdc_mqtt_message m1, m2, m3;

	play_init(&t, 4, false, 0);
	play_connect(&t, false, 0);
	play_publish(&t, 1, 9, false, "a");
	play_feed(&t, 1);
	m1 = t.ev.message;
	play_publish(&t, 2, 10, false, "b");
	play_feed(&t, 1);
	m2 = t.ev.message;
	play_publish(&t, 2, 11, false, "c");
	play_feed(&t, 1);
	m3 = t.ev.message;
	sdc_mqtt_client_ack(&t.c, &m3);
	play_sent(&t, NULL, 0);		/* PUBREC 11 */
	sdc_mqtt_client_feed(&t.c, BYTES(0x32, 0x09, 0, 3), 4, 1);
	sdc_mqtt_client_next(&t.c, &t.ev);
	sdc_mqtt_client_lost(&t.c, "end of file");
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_CLOSED,
	    "lost: closed");
	is_str(t.ev.reason, "connection lost: end of file, 4 bytes into a "
	    "PUBLISH at byte 39 of the connection", "saying what was cut");
	sdc_mqtt_client_ack(&t.c, &m1);
	ok(play_sent(&t, NULL, 0), "an ack with no connection sends nothing");
	play_connect(&t, true, 2);
	ok(t.ev.type == SDC_MQTT_EV_SUBSCRIBED, "reconnected, session kept");
	play_sent(&t, NULL, 0);
	play_publish(&t, 1, 9, true, "a");
	ok(play_feed(&t, 3) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0x40, 0x02, 0, 9)),
	    "QoS 1 acked while away, sent again: PUBACK, not delivered");
	play_publish(&t, 2, 10, true, "b");
	ok(play_feed(&t, 3) == SDC_MQTT_EV_NONE && play_sent(&t, NULL, 0),
	    "QoS 2 not acked yet, sent again: nothing yet");
	sdc_mqtt_client_ack(&t.c, &m2);
	ok(play_sent(&t, PACKET(0x50, 0x02, 0, 10)), "its ack: PUBREC");
	sdc_buf_append(&t.b, PACKET(0x62, 0x02, 0, 11));
	ok(play_feed(&t, 3) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0x70, 0x02, 0, 11)),
	    "PUBREL of the PUBREC of the last connection: PUBCOMP");
	sdc_buf_append(&t.b, PACKET(0x62, 0x02, 0, 11));
	ok(play_feed(&t, 3) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0x70, 0x02, 0, 11)),
	    "and again: PUBCOMP again");

	play_publish(&t, 1, 12, false, "d");
	play_feed(&t, 4);
	m1 = t.ev.message;
	sdc_mqtt_client_lost(&t.c, "reset");
	sdc_mqtt_client_next(&t.c, &t.ev);
	play_connect(&t, false, 5);
	play_sent(&t, NULL, 0);
	sdc_mqtt_client_ack(&t.c, &m1);
	ok(play_sent(&t, NULL, 0), "the session lost: old acks send nothing");
	play_publish(&t, 1, 12, false, "new");
	ok(play_feed(&t, 6) == SDC_MQTT_EV_MESSAGE &&
	    bytes_are(t.ev.message.payload, "new"),
	    "and its identifiers are new messages");
	play_release(&t);
}

static void
test_client_stream(void)
{
	struct play t;
	struct sdc_mqtt_message m;
	size_t n, first, events = 0;
	uint8_t *bytes;

	play_init(&t, 5, true, 0);
	play_connect(&t, false, 0);
	play_publish(&t, 1, 1, false, "one byte at a time");
	first = t.b.len;
	play_publish(&t, 0, 0, false, "and another");
	n = t.b.len;
	bytes = malloc(n);
	memcpy(bytes, t.b.data, n);
	sdc_buf_reset(&t.b);
	for (size_t i = 0; i < n; i++) {
		sdc_mqtt_client_feed(&t.c, bytes + i, 1, 1);
		while (sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_MESSAGE)
			events++;
		if (i == first - 1)
			ok(events == 1, "the first message at its last byte");
	}
	ok(events == 2, "two messages fed a byte at a time");
	free(bytes);

	play_publish(&t, 1, 2, false, "this payload is longer than the "
	    "100 bytes of the limit of the test: refused as too large, "
	    "and skipped whatever comes after");
	play_publish(&t, 0, 0, false, "next");
	ok(play_feed(&t, 2) == SDC_MQTT_EV_OVERSIZE &&
	    bytes_are(t.ev.message.topic, "s/1") &&
	    t.ev.message.payload.p == NULL && t.ev.message.payload.n > 100 &&
	    t.ev.message.packet_id == 2, "too large: OVERSIZE, its topic");
	m = t.ev.message;
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_MESSAGE &&
	    bytes_are(t.ev.message.payload, "next"), "then the next message");
	sdc_mqtt_client_ack(&t.c, &m);
	ok(play_sent(&t, PACKET(0x40, 0x02, 0, 2)), "the refused one acked");

	sdc_buf_append(&t.b, PACKET(0x30, 0x05, 0, 3, 'a', 0xff, 'b'));
	ok(play_feed(&t, 3) == SDC_MQTT_EV_CLOSED && t.ev.code == 0x81,
	    "a malformed PUBLISH: closed");
	is_str(t.ev.reason, "malformed PUBLISH at byte 205 of the connection "
	    "(2 of the packet): string not valid UTF-8 or with U+0000",
	    "naming the byte");
	ok(play_sent(&t, PACKET(0xe0, 0x01, 0x81)),
	    "and DISCONNECT 0x81 sent");
	play_release(&t);
}

static void
test_client_flow(void)
{
	struct play t;

	play_init(&t, 5, true, 2);
	play_connect(&t, false, 0);
	play_publish(&t, 1, 1, false, "a");
	play_feed(&t, 1);
	play_publish(&t, 2, 2, false, "b");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE &&
	    sdc_mqtt_client_unacked(&t.c) == 2, "receive maximum 2: two");
	play_publish(&t, 0, 0, false, "c");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_MESSAGE, "QoS 0 does not count");
	play_publish(&t, 1, 3, false, "d");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED && t.ev.code == 0x93,
	    "a third: closed");
	ok(play_sent(&t, PACKET(0xe0, 0x01, 0x93)), "DISCONNECT 0x93 sent");
	play_release(&t);

	play_init(&t, 5, true, 0);
	play_connect(&t, false, 0);
	ok(sdc_mqtt_client_deadline(&t.c) == 10000, "keepalive due at 10 s");
	sdc_mqtt_client_tick(&t.c, 10000);
	ok(play_sent(&t, PACKET(0xc0, 0x00)), "PINGREQ");
	sdc_buf_append(&t.b, PACKET(0xd0, 0x00));
	play_feed(&t, 15000);
	sdc_mqtt_client_tick(&t.c, 20000);
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0xc0, 0x00)), "answered: PINGREQ again");
	sdc_mqtt_client_pause(&t.c, true, 21000);
	sdc_mqtt_client_tick(&t.c, 30000);
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_NONE &&
	    play_sent(&t, PACKET(0xc0, 0x00)),
	    "not read while paused: not closed, PINGREQ still sent");
	sdc_mqtt_client_pause(&t.c, false, 35000);
	ok(sdc_mqtt_client_deadline(&t.c) == 40000, "resumed: due again");
	sdc_mqtt_client_tick(&t.c, 45000);
	ok(sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_CLOSED &&
	    t.ev.code == SDC_MQTT_RC_KEEPALIVE,
	    "no answer within the keepalive: closed");
	play_release(&t);

	play_init(&t, 5, true, 0);
	play_connect(&t, false, 0);
	sdc_mqtt_client_disconnect(&t.c);
	ok(play_sent(&t, PACKET(0xe0, 0x00)) &&
	    sdc_mqtt_client_next(&t.c, &t.ev) == SDC_MQTT_EV_CLOSED &&
	    t.ev.code == 0, "disconnect: DISCONNECT, closed");
	play_release(&t);
}

static void
test_client_v5(void)
{
	struct play t;
	struct sdc_mqtt_message m;

	play_init(&t, 5, true, 0);
	sdc_mqtt_client_connect(&t.c, 0);
	play_sent(&t, NULL, 0);
	sdc_buf_append(&t.b, PACKET(0x20, 0x06, 0x00, 0x00, 0x03,
	    0x13, 0x00, 0x03));
	ok(play_feed(&t, 0) == SDC_MQTT_EV_CONNECTED &&
	    sdc_mqtt_client_deadline(&t.c) == 3000,
	    "the broker's server keep alive (3 s) replaces ours");
	play_sent(&t, NULL, 0);
	sdc_buf_append(&t.b, PACKET(0x90, 0x04, 0, 1, 0, 0x02));
	play_feed(&t, 0);
	play_publish(&t, 2, 3, false, "a payload over the limit of one "
	    "hundred bytes, in a PUBLISH of QoS 2 that is refused and acked "
	    "all the same");
	ok(play_feed(&t, 1) == SDC_MQTT_EV_OVERSIZE, "QoS 2 too large");
	m = t.ev.message;
	sdc_mqtt_client_ack(&t.c, &m);
	ok(play_sent(&t, PACKET(0x50, 0x02, 0, 3)), "acked: PUBREC");
	sdc_buf_append(&t.b, PACKET(0x30, 0x07, 0, 1, 'a', 0x03, 0x23, 0x00,
	    0x01));
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED && t.ev.code == 0x94 &&
	    play_sent(&t, PACKET(0xe0, 0x01, 0x94)),
	    "a topic alias: DISCONNECT 0x94");
	play_release(&t);

	play_init(&t, 5, true, 0);
	play_connect(&t, false, 0);
	sdc_buf_append(&t.b, PACKET(0xe0, 0x09, 0x8b, 0x07, 0x1f, 0x00, 0x04,
	    'b', 'y', 'e', '!'));
	ok(play_feed(&t, 1) == SDC_MQTT_EV_CLOSED && t.ev.code == 0x8b &&
	    play_sent(&t, NULL, 0), "the broker's DISCONNECT: closed");
	is_str(t.ev.reason, "broker disconnected: server shutting down: bye!",
	    "with its reason code and string");
	sdc_mqtt_client_connect(&t.c, 2);
	play_sent(&t, NULL, 0);
	sdc_buf_append(&t.b, PACKET(0x20, 0x03, 0x00, 0x86, 0x00));
	ok(play_feed(&t, 3) == SDC_MQTT_EV_CLOSED && t.ev.code == 0x86,
	    "CONNACK 0x86: closed");
	is_str(t.ev.reason, "broker refused the connection: bad user name or "
	    "password", "with the reason's name");
	sdc_mqtt_client_connect(&t.c, 4);
	sdc_buf_append(&t.b, PACKET(0x20, 0x03, 0x01, 0x00, 0x00));
	ok(play_feed(&t, 5) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "clean one was asked"),
	    "a session present though a clean one was asked: closed");
	play_connect(&t, false, 6);
	sdc_buf_append(&t.b, PACKET(0xf0, 0x00));
	ok(play_feed(&t, 7) == SDC_MQTT_EV_CLOSED &&
	    t.ev.code == SDC_MQTT_RC_PROTOCOL, "AUTH: a protocol error");
	play_connect(&t, false, 8);
	sdc_buf_append(&t.b, PACKET(0x40, 0x02, 0, 1));
	ok(play_feed(&t, 9) == SDC_MQTT_EV_CLOSED &&
	    strstr(t.ev.reason, "PUBACK from the broker"),
	    "a PUBACK for nothing sent: closed");
	play_release(&t);
}

int
main(void)
{
	test_frame();
	test_connect();
	test_subscribe();
	test_connack();
	test_publish();
	test_acks();
	test_topics();
	test_client_connect();
	test_client_qos();
	test_client_reconnect();
	test_client_stream();
	test_client_flow();
	test_client_v5();
	return tap_done();
}
