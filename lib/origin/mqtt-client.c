/*
 * An MQTT subscriber's connection without I/O: the bytes in and out,
 * the packets that come, the keepalive; mqtt-session.c keeps the packet
 * identifiers of the session.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt-session.h"
#include "xalloc.h"
#include "banned.h"

#define OUT_MAX		(1u << 20)
/* Room for the head of any PUBLISH: fixed header, topic, identifier. */
#define HEAD_ROOM	(SDC_MQTT_HEADER_MAX + 2 + UINT16_MAX + 2)

void
sdc_mqtt_client_init(struct sdc_mqtt_client *c,
    const struct sdc_mqtt_client_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->cfg = *cfg;
	if (c->cfg.max_packet == 0)
		c->cfg.max_packet = 1u << 20;
	if (c->cfg.connect_timeout <= 0)
		c->cfg.connect_timeout = 30000;
	sdc_buf_init(&c->in, c->cfg.max_packet > HEAD_ROOM ?
	    c->cfg.max_packet : HEAD_ROOM);
	sdc_buf_init(&c->out, OUT_MAX);
	c->ids = sdc_xcalloc((size_t)UINT16_MAX + 1, 1);
	c->session = 1;
	c->state = SDC_MQTT_ST_IDLE;
}

void
sdc_mqtt_client_release(struct sdc_mqtt_client *c)
{
	sdc_buf_release(&c->in);
	sdc_buf_release(&c->out);
	free(c->ids);
	c->ids = NULL;
}

bool
sdc_mqtt_client_is_open(const struct sdc_mqtt_client *c)
{
	return c->state != SDC_MQTT_ST_IDLE && c->state != SDC_MQTT_ST_CLOSED;
}

size_t
sdc_mqtt_client_unacked(const struct sdc_mqtt_client *c)
{
	return c->inflight;
}

void
sdc_mqtt_close(struct sdc_mqtt_client *c, bool send, uint8_t code,
    const char *fmt, ...)
{
	va_list ap;

	if (!sdc_mqtt_client_is_open(c))
		return;
	va_start(ap, fmt);
	vsnprintf(c->close_reason, sizeof c->close_reason, fmt, ap);
	va_end(ap);
	c->close_code = code;
	c->close_pending = true;
	if (send && c->state >= SDC_MQTT_ST_SUBSCRIBING &&
	    (c->cfg.version == SDC_MQTT_V5 || code == 0))
		sdc_mqtt_put_disconnect(&c->out, c->cfg.version, code);
	sdc_mqtt_session_detach(c);
	c->state = SDC_MQTT_ST_CLOSED;
}

static void
queued(struct sdc_mqtt_client *c, bool ok, const char *what)
{
	if (ok)
		c->last_tx = c->now;
	else
		sdc_mqtt_close(c, false, SDC_MQTT_RC_UNSPECIFIED,
		    "%s not sent: %s", what, c->out.len > OUT_MAX / 2 ?
		    "the broker does not read what is sent" :
		    "a field is not valid or too long");
}

void
sdc_mqtt_send_ack(struct sdc_mqtt_client *c, uint8_t type, uint16_t packet_id,
    uint8_t reason)
{
	queued(c, sdc_mqtt_put_ack(&c->out, c->cfg.version, type, packet_id,
	    reason), sdc_mqtt_type_name(type));
}

void
sdc_mqtt_client_connect(struct sdc_mqtt_client *c, int64_t now)
{
	struct sdc_mqtt_connect k = {
		.version = c->cfg.version, .client_id = c->cfg.client_id,
		.clean = c->cfg.clean, .keepalive = c->cfg.keepalive,
		.username = c->cfg.username, .password = c->cfg.password,
		.password_len = c->cfg.password_len,
		.session_expiry = c->cfg.session_expiry,
		.receive_max = c->cfg.receive_max,
	};

	sdc_mqtt_session_detach(c);
	sdc_buf_reset(&c->in);
	sdc_buf_reset(&c->out);
	c->in_pos = c->skip = 0;
	c->rx_offset = 0;
	c->paused = c->ping_out = c->close_pending = false;
	c->keepalive = (int64_t)c->cfg.keepalive * 1000;
	c->now = c->connect_at = now;
	c->state = SDC_MQTT_ST_CONNECTING;
	queued(c, sdc_mqtt_put_connect(&c->out, &k), "CONNECT");
}

static void
compact(struct sdc_mqtt_client *c)
{
	if (c->in_pos == 0)
		return;
	memmove(c->in.data, c->in.data + c->in_pos, c->in.len - c->in_pos);
	c->in.len -= c->in_pos;
	c->in_pos = 0;
}

size_t
sdc_mqtt_client_feed(struct sdc_mqtt_client *c, const void *p, size_t n,
    int64_t now)
{
	size_t skipped = 0, room;

	c->now = now;
	if (!sdc_mqtt_client_is_open(c))
		return n;	/* nobody listens any more */
	compact(c);
	if (c->skip > 0) {
		skipped = c->skip < n ? c->skip : n;
		c->skip -= skipped;
	}
	room = c->in.max - c->in.len;
	if (room > n - skipped)
		room = n - skipped;
	sdc_buf_append(&c->in, (const uint8_t *)p + skipped, room);
	return skipped + room;
}

const uint8_t *
sdc_mqtt_client_output(const struct sdc_mqtt_client *c, size_t *n)
{
	*n = c->out.len;
	return c->out.data;
}

void
sdc_mqtt_client_sent(struct sdc_mqtt_client *c, size_t n)
{
	if (n > c->out.len)
		n = c->out.len;
	memmove(c->out.data, c->out.data + n, c->out.len - n);
	c->out.len -= n;
}

void
sdc_mqtt_client_lost(struct sdc_mqtt_client *c, const char *why)
{
	size_t cut = c->in.len - c->in_pos;

	if (cut == 0 && c->skip == 0)
		sdc_mqtt_close(c, false, 0, "connection lost: %s", why);
	else if (c->skip > 0)
		sdc_mqtt_close(c, false, 0, "connection lost: %s, %zu bytes "
		    "short of the end of a PUBLISH refused", why, c->skip);
	else
		sdc_mqtt_close(c, false, 0, "connection lost: %s, %zu bytes "
		    "into a %s at byte %" PRIu64 " of the connection", why,
		    cut, sdc_mqtt_type_name(c->in.data[c->in_pos] >> 4),
		    c->rx_offset);
}

void
sdc_mqtt_client_disconnect(struct sdc_mqtt_client *c)
{
	sdc_mqtt_close(c, true, 0, "disconnected");
}

void
sdc_mqtt_client_ack(struct sdc_mqtt_client *c, const struct sdc_mqtt_message *m)
{
	sdc_mqtt_session_ack(c, m);
}

/* Keepalive: a PINGREQ when nothing went for that long; an answer due. */
void
sdc_mqtt_client_tick(struct sdc_mqtt_client *c, int64_t now)
{
	c->now = now;
	if (!sdc_mqtt_client_is_open(c))
		return;
	if (c->state == SDC_MQTT_ST_CONNECTING) {
		if (now - c->connect_at >= c->cfg.connect_timeout)
			sdc_mqtt_close(c, false, 0, "no CONNACK within %" PRId64
			    " ms", c->cfg.connect_timeout);
		return;
	}
	if (c->keepalive == 0)
		return;
	if (c->ping_out && !c->paused && now >= c->answer_due) {
		sdc_mqtt_close(c, false, SDC_MQTT_RC_KEEPALIVE,
		    "broker did not answer PINGREQ within %" PRId64 " s",
		    c->keepalive / 1000);
		return;
	}
	if (now - c->last_tx >= c->keepalive) {
		queued(c, sdc_mqtt_put_empty(&c->out, SDC_MQTT_PINGREQ),
		    "PINGREQ");
		if (!c->ping_out)
			c->answer_due = now + c->keepalive;
		c->ping_out = true;
	}
}

int64_t
sdc_mqtt_client_deadline(const struct sdc_mqtt_client *c)
{
	int64_t d;

	if (c->close_pending)
		return c->now;
	if (!sdc_mqtt_client_is_open(c))
		return INT64_MAX;
	if (c->state == SDC_MQTT_ST_CONNECTING)
		return c->connect_at + c->cfg.connect_timeout;
	if (c->keepalive == 0)
		return INT64_MAX;
	d = c->last_tx + c->keepalive;
	if (c->ping_out && !c->paused && c->answer_due < d)
		d = c->answer_due;
	return d;
}

void
sdc_mqtt_client_pause(struct sdc_mqtt_client *c, bool paused, int64_t now)
{
	c->now = now;
	if (c->paused && !paused && c->ping_out &&
	    c->answer_due < now + c->keepalive)
		c->answer_due = now + c->keepalive;
	c->paused = paused;
}

static bool
connack(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk,
    struct sdc_mqtt_event *ev)
{
	uint8_t v = c->cfg.version;

	if (pk->reason != 0) {
		sdc_mqtt_close(c, false, pk->reason,
		    "broker refused the connection: %s",
		    sdc_mqtt_reason_name(v, SDC_MQTT_CONNACK, pk->reason));
		return false;
	}
	if (pk->session_present && c->cfg.clean) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "broker kept a session though a clean one was asked");
		return false;
	}
	if (!pk->session_present)
		sdc_mqtt_session_forget(c);
	if (sdc_mqtt_has(&pk->props, 0x13))
		c->keepalive = (int64_t)pk->props.server_keepalive * 1000;
	ev->type = SDC_MQTT_EV_CONNECTED;
	ev->session_present = pk->session_present;
	c->state = SDC_MQTT_ST_READY;
	if (c->cfg.nsubs > 0) {
		c->sub_id = (uint16_t)(c->sub_id % UINT16_MAX + 1);
		c->state = SDC_MQTT_ST_SUBSCRIBING;
		queued(c, sdc_mqtt_put_subscribe(&c->out, v, c->sub_id,
		    c->cfg.subs, c->cfg.nsubs), "SUBSCRIBE");
	}
	return true;
}

static bool
suback(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk,
    struct sdc_mqtt_event *ev)
{
	if (c->state != SDC_MQTT_ST_SUBSCRIBING || pk->packet_id != c->sub_id) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "SUBACK for packet identifier %u, not subscribed with",
		    pk->packet_id);
		return false;
	}
	if (pk->list.n != c->cfg.nsubs) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "SUBACK with %zu codes for %zu topic filters", pk->list.n,
		    c->cfg.nsubs);
		return false;
	}
	c->state = SDC_MQTT_ST_READY;
	ev->type = SDC_MQTT_EV_SUBSCRIBED;
	ev->granted = pk->list;
	return true;
}

static void
message(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk,
    struct sdc_mqtt_message *m)
{
	m->topic = pk->topic;
	m->payload = pk->payload;
	m->qos = pk->qos;
	m->dup = pk->dup;
	m->retain = pk->retain;
	m->packet_id = pk->packet_id;
	m->payload_format = pk->props.payload_format;
	m->content_type = pk->props.content_type;
	m->session = c->session;
}

/* A PUBLISH to deliver (true), or one delivered already or refused. */
static bool
publish(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk)
{
	if (sdc_mqtt_has(&pk->props, 0x23) || pk->topic.n == 0) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_TOPIC_ALIAS,
		    "broker sent a topic alias, which this client did not "
		    "allow");
		return false;
	}
	return pk->qos == 0 || sdc_mqtt_session_publish(c, pk);
}

static void
broker_disconnect(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk)
{
	const struct sdc_mqtt_bytes *why = &pk->props.reason_string;

	sdc_mqtt_close(c, false, pk->reason,
	    "broker disconnected: %s%s%.*s",
	    sdc_mqtt_reason_name(c->cfg.version, SDC_MQTT_DISCONNECT,
	    pk->reason), why->n ? ": " : "", (int)why->n,
	    why->n ? (const char *)why->p : "");
}

static bool
handle(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk,
    struct sdc_mqtt_event *ev)
{
	if ((c->state == SDC_MQTT_ST_CONNECTING) !=
	    (pk->type == SDC_MQTT_CONNACK)) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL, "%s %s",
		    sdc_mqtt_type_name(pk->type),
		    pk->type == SDC_MQTT_CONNACK ? "again" : "before CONNACK");
		return false;
	}
	switch (pk->type) {
	case SDC_MQTT_CONNACK:
		return connack(c, pk, ev);
	case SDC_MQTT_SUBACK:
		return suback(c, pk, ev);
	case SDC_MQTT_PUBLISH:
		if (!publish(c, pk))
			return false;
		ev->type = SDC_MQTT_EV_MESSAGE;
		message(c, pk, &ev->message);
		return true;
	case SDC_MQTT_PUBREL:
		sdc_mqtt_session_pubrel(c, pk->packet_id);
		return false;
	case SDC_MQTT_PINGRESP:
		c->ping_out = false;
		return false;
	case SDC_MQTT_DISCONNECT:
		broker_disconnect(c, pk);
		return false;
	default:
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "%s from the broker, which a subscriber never asked for",
		    sdc_mqtt_type_name(pk->type));
		return false;
	}
}

static void
malformed(struct sdc_mqtt_client *c, const uint8_t *p,
    const struct sdc_mqtt_error *err)
{
	sdc_mqtt_close(c, true, err->code,
	    "%s %s at byte %" PRIu64 " of the connection (%zu of the packet)",
	    err->code == SDC_MQTT_RC_TOO_LARGE ? "refused" : "malformed",
	    sdc_mqtt_type_name(p[0] >> 4), c->rx_offset + err->offset,
	    err->offset);
	snprintf(c->close_reason + strlen(c->close_reason),
	    sizeof c->close_reason - strlen(c->close_reason), ": %s",
	    err->reason);
}

/* A PUBLISH larger than max_packet: its head, and its rest skipped. */
static int
oversize(struct sdc_mqtt_client *c, const uint8_t *p, size_t avail,
    size_t total, struct sdc_mqtt_event *ev)
{
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	int head;

	if ((head = sdc_mqtt_decode_publish_head(&pk, p, avail,
	    c->cfg.version, &err)) <= 0) {
		if (head < 0)
			malformed(c, p, &err);
		return head;
	}
	if (total <= avail) {
		c->in_pos += total;
	} else {
		c->in_pos += avail;
		c->skip = total - avail;
	}
	c->rx_offset += total;
	if (!publish(c, &pk))
		return c->close_pending ? -1 : 1;
	ev->type = SDC_MQTT_EV_OVERSIZE;
	message(c, &pk, &ev->message);
	ev->message.payload.p = NULL;
	ev->message.payload.n = total;
	return 1;
}

/* The next packet of the input: 1 when it is taken, 0 when more is needed. */
static int
take(struct sdc_mqtt_client *c, struct sdc_mqtt_event *ev)
{
	const uint8_t *p = c->in.data + c->in_pos;
	size_t avail = c->in.len - c->in_pos, total;
	struct sdc_mqtt_packet pk;
	struct sdc_mqtt_error err;
	int framed;

	if ((framed = sdc_mqtt_frame(p, avail, c->cfg.max_packet, &total,
	    &err)) == 0)
		return 0;
	if (framed < 0 && err.code == SDC_MQTT_RC_TOO_LARGE &&
	    p[0] >> 4 == SDC_MQTT_PUBLISH)
		return oversize(c, p, avail, total, ev);
	if (framed > 0 && total > avail)
		return 0;
	if (framed < 0 || !sdc_mqtt_decode(&pk, p, total, c->cfg.version,
	    &err)) {
		malformed(c, p, &err);
		return -1;
	}
	c->in_pos += total;
	c->rx_offset += total;
	handle(c, &pk, ev);
	return 1;
}

static enum sdc_mqtt_event_type
closed(struct sdc_mqtt_client *c, struct sdc_mqtt_event *ev)
{
	c->close_pending = false;
	ev->type = SDC_MQTT_EV_CLOSED;
	ev->code = c->close_code;
	memcpy(ev->reason, c->close_reason, sizeof ev->reason);
	return ev->type;
}

enum sdc_mqtt_event_type
sdc_mqtt_client_next(struct sdc_mqtt_client *c, struct sdc_mqtt_event *ev)
{
	memset(ev, 0, sizeof *ev);
	if (!c->close_pending && sdc_mqtt_client_is_open(c)) {
		compact(c);
		while (ev->type == SDC_MQTT_EV_NONE && take(c, ev) > 0 &&
		    sdc_mqtt_client_is_open(c))
			;
	}
	if (c->close_pending && ev->type == SDC_MQTT_EV_NONE)
		return closed(c, ev);
	return ev->type;
}
