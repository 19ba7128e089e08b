/*
 * MQTT packets written: the body goes after room for the longest fixed
 * header, which is then written in front of it once its length is known.
 */
#include <stdint.h>
#include <string.h>

#include "mqtt-packet.h"
#include "banned.h"

struct writer {
	struct sdc_buf	*b;
	size_t		 start;
	bool		 ok;
};

/* MQTT 5 properties, few and short in what a subscriber sends. */
struct props {
	uint8_t	p[32];
	size_t	n;
};

static void
begin(struct writer *w, struct sdc_buf *b)
{
	w->b = b;
	w->start = b->len;
	w->ok = sdc_buf_reserve(b, SDC_MQTT_HEADER_MAX);
	if (w->ok)
		b->len += SDC_MQTT_HEADER_MAX;
}

static void
put(struct writer *w, const void *p, size_t n)
{
	if (w->ok && !sdc_buf_append(w->b, p, n))
		w->ok = false;
}

static void
put_u8(struct writer *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put_u16(struct writer *w, uint16_t v)
{
	uint8_t be[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, be, 2);
}

static size_t
varint(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	do {
		p[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

static void
put_binary(struct writer *w, const void *p, size_t n)
{
	if (n > UINT16_MAX)
		w->ok = false;
	put_u16(w, (uint16_t)n);
	put(w, p, n);
}

static void
put_string(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	if (!sdc_mqtt_utf8_valid((const uint8_t *)s, n))
		w->ok = false;
	put_binary(w, s, n);
}

static void
put_props(struct writer *w, const struct props *pr)
{
	uint8_t len[4];

	put(w, len, varint(len, (uint32_t)pr->n));
	put(w, pr->p, pr->n);
}

static void
prop_int(struct props *pr, uint8_t id, uint32_t v, unsigned bytes)
{
	pr->p[pr->n++] = id;
	while (bytes-- > 0)
		pr->p[pr->n++] = (uint8_t)(v >> (8 * bytes));
}

static bool
finish(struct writer *w, uint8_t first)
{
	struct sdc_buf *b = w->b;
	size_t body = b->len - w->start - SDC_MQTT_HEADER_MAX, k;
	uint8_t head[SDC_MQTT_HEADER_MAX];

	if (!w->ok || body > SDC_MQTT_REMAINING_MAX) {
		b->len = w->start;
		return false;
	}
	head[0] = first;
	k = 1 + varint(head + 1, (uint32_t)body);
	memmove(b->data + w->start + k,
	    b->data + w->start + SDC_MQTT_HEADER_MAX, body);
	memcpy(b->data + w->start, head, k);
	b->len = w->start + k + body;
	return true;
}

static bool
fail(struct writer *w)
{
	w->ok = false;
	return finish(w, 0);
}

static bool
known_version(uint8_t version)
{
	return version == SDC_MQTT_V311 || version == SDC_MQTT_V5;
}

bool
sdc_mqtt_put_connect(struct sdc_buf *b, const struct sdc_mqtt_connect *c)
{
	struct writer w;
	struct props pr = { .n = 0 };
	uint8_t flags = c->clean ? 2 : 0;

	if (c->username)
		flags |= 0x80;
	if (c->password)
		flags |= 0x40;
	begin(&w, b);
	if (!known_version(c->version) || (c->version == SDC_MQTT_V311 &&
	    c->password && !c->username))
		return fail(&w);
	put_binary(&w, "MQTT", 4);
	put_u8(&w, c->version);
	put_u8(&w, flags);
	put_u16(&w, c->keepalive);
	if (c->version == SDC_MQTT_V5) {
		if (c->session_expiry)
			prop_int(&pr, 0x11, c->session_expiry, 4);
		if (c->receive_max)
			prop_int(&pr, 0x21, c->receive_max, 2);
		if (c->max_packet)
			prop_int(&pr, 0x27, c->max_packet, 4);
		put_props(&w, &pr);
	}
	put_string(&w, c->client_id ? c->client_id : "");
	if (c->username)
		put_string(&w, c->username);
	if (c->password)
		put_binary(&w, c->password, c->password_len);
	return finish(&w, SDC_MQTT_CONNECT << 4);
}

static void
put_id_and_props(struct writer *w, uint8_t version, uint16_t packet_id)
{
	static const struct props none = { .n = 0 };

	if (packet_id == 0)
		w->ok = false;
	put_u16(w, packet_id);
	if (version == SDC_MQTT_V5)
		put_props(w, &none);
}

static void
put_filter(struct writer *w, const char *filter)
{
	const char *why;

	if (!sdc_mqtt_filter_valid((const uint8_t *)filter, strlen(filter),
	    &why))
		w->ok = false;
	put_string(w, filter);
}

bool
sdc_mqtt_put_subscribe(struct sdc_buf *b, uint8_t version, uint16_t packet_id,
    const struct sdc_mqtt_subscription *subs, size_t n)
{
	struct writer w;

	begin(&w, b);
	if (!known_version(version) || n == 0)
		return fail(&w);
	put_id_and_props(&w, version, packet_id);
	for (size_t i = 0; i < n; i++) {
		uint8_t o = subs[i].qos;

		if (version == SDC_MQTT_V5)
			o |= subs[i].options & 0x3c;
		if (subs[i].qos > 2 || (o & 0x30) == 0x30)
			w.ok = false;
		put_filter(&w, subs[i].filter);
		put_u8(&w, o);
	}
	return finish(&w, SDC_MQTT_SUBSCRIBE << 4 | 2);
}

bool
sdc_mqtt_put_unsubscribe(struct sdc_buf *b, uint8_t version,
    uint16_t packet_id, const char *const *filters, size_t n)
{
	struct writer w;

	begin(&w, b);
	if (!known_version(version) || n == 0)
		return fail(&w);
	put_id_and_props(&w, version, packet_id);
	for (size_t i = 0; i < n; i++)
		put_filter(&w, filters[i]);
	return finish(&w, SDC_MQTT_UNSUBSCRIBE << 4 | 2);
}

bool
sdc_mqtt_put_ack(struct sdc_buf *b, uint8_t version, uint8_t type,
    uint16_t packet_id, uint8_t reason)
{
	struct writer w;

	begin(&w, b);
	if (type < SDC_MQTT_PUBACK || type > SDC_MQTT_PUBCOMP || packet_id == 0)
		return fail(&w);
	put_u16(&w, packet_id);
	if (version == SDC_MQTT_V5 && reason != 0)
		put_u8(&w, reason);
	return finish(&w, (uint8_t)(type << 4 | (type == SDC_MQTT_PUBREL)
	    * 2));
}

bool
sdc_mqtt_put_empty(struct sdc_buf *b, uint8_t type)
{
	struct writer w;

	begin(&w, b);
	if (type != SDC_MQTT_PINGREQ && type != SDC_MQTT_PINGRESP)
		return fail(&w);
	return finish(&w, (uint8_t)(type << 4));
}

bool
sdc_mqtt_put_disconnect(struct sdc_buf *b, uint8_t version, uint8_t reason)
{
	struct writer w;

	begin(&w, b);
	if (version == SDC_MQTT_V5 && reason != 0)
		put_u8(&w, reason);
	return finish(&w, SDC_MQTT_DISCONNECT << 4);
}

bool
sdc_mqtt_put_publish(struct sdc_buf *b, uint8_t version,
    const struct sdc_mqtt_publish *m)
{
	static const struct props none = { .n = 0 };
	struct writer w;
	const char *why;

	begin(&w, b);
	if (m->qos > 2 || (m->qos == 0 && m->dup) ||
	    !sdc_mqtt_topic_valid((const uint8_t *)m->topic, strlen(m->topic),
	    &why))
		return fail(&w);
	put_string(&w, m->topic);
	if (m->qos > 0) {
		if (m->packet_id == 0)
			w.ok = false;
		put_u16(&w, m->packet_id);
	}
	if (version == SDC_MQTT_V5)
		put_props(&w, &none);
	put(&w, m->payload, m->payload_len);
	return finish(&w, (uint8_t)(SDC_MQTT_PUBLISH << 4 | m->dup << 3 |
	    m->qos << 1 | m->retain));
}

bool
sdc_mqtt_put_connack(struct sdc_buf *b, uint8_t version, bool session_present,
    uint8_t reason)
{
	static const struct props none = { .n = 0 };
	struct writer w;

	begin(&w, b);
	put_u8(&w, session_present);
	put_u8(&w, reason);
	if (version == SDC_MQTT_V5)
		put_props(&w, &none);
	return finish(&w, SDC_MQTT_CONNACK << 4);
}

bool
sdc_mqtt_put_suback(struct sdc_buf *b, uint8_t version, uint16_t packet_id,
    const uint8_t *codes, size_t n)
{
	struct writer w;

	begin(&w, b);
	if (n == 0)
		return fail(&w);
	put_id_and_props(&w, version, packet_id);
	put(&w, codes, n);
	return finish(&w, SDC_MQTT_SUBACK << 4);
}
