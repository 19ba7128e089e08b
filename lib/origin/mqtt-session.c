/*
 * The packet identifiers of an MQTT session, kept over its connections
 * so that a message is acknowledged only once its record is written,
 * and a message the broker sends again is not delivered twice.
 *
 * A byte an identifier: its QoS (0 when free), whether the caller has
 * acknowledged it (QoS 1: the PUBACK is owed to a redelivery; QoS 2:
 * the PUBREC is sent or owed, the PUBREL awaited), and whether its
 * PUBLISH came on this connection (only then can its ack go out now).
 */
#include <string.h>

#include "mqtt-session.h"
#include "banned.h"

#define QOS	0x03
#define ACKED	0x04
#define CURRENT	0x08

static bool
receive_max_passed(struct sdc_mqtt_client *c)
{
	uint16_t max = c->cfg.receive_max ? c->cfg.receive_max : UINT16_MAX;

	if (c->cfg.version != SDC_MQTT_V5 || c->inflight < max)
		return false;
	sdc_mqtt_close(c, true, SDC_MQTT_RC_RECEIVE_MAX,
	    "broker sent more than %u unacknowledged messages", max);
	return true;
}

/* The broker's PUBLISH of id is now on this connection. */
static bool
attach(struct sdc_mqtt_client *c, uint16_t id)
{
	if (c->ids[id] & CURRENT)
		return true;
	if (receive_max_passed(c))
		return false;
	c->ids[id] |= CURRENT;
	c->inflight++;
	return true;
}

static void
release(struct sdc_mqtt_client *c, uint16_t id)
{
	if (c->ids[id] & CURRENT)
		c->inflight--;
	c->ids[id] = 0;
}

/* The same identifier again on one connection: a resend at most. */
static bool
again(struct sdc_mqtt_client *c, const struct sdc_mqtt_packet *pk)
{
	if (!pk->dup)
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "broker reused packet identifier %u before its "
		    "acknowledgement", pk->packet_id);
	else if (pk->qos == 2 && (c->ids[pk->packet_id] & ACKED))
		sdc_mqtt_send_ack(c, SDC_MQTT_PUBREC, pk->packet_id, 0);
	return false;
}

bool
sdc_mqtt_session_publish(struct sdc_mqtt_client *c,
    const struct sdc_mqtt_packet *pk)
{
	uint16_t id = pk->packet_id;
	uint8_t st = c->ids[id];

	if (st & CURRENT)
		return again(c, pk);
	if ((st & QOS) != pk->qos) {	/* free, or stale from an old session */
		if (receive_max_passed(c))
			return false;
		c->ids[id] = (uint8_t)(pk->qos | CURRENT);
		c->inflight++;
		return true;
	}
	/* Sent again after a reconnection: delivered already. */
	if (!attach(c, id))
		return false;
	if (st & ACKED) {
		if (pk->qos == 1) {
			sdc_mqtt_send_ack(c, SDC_MQTT_PUBACK, id, 0);
			release(c, id);
		} else {
			sdc_mqtt_send_ack(c, SDC_MQTT_PUBREC, id, 0);
		}
	}
	return false;
}

void
sdc_mqtt_session_pubrel(struct sdc_mqtt_client *c, uint16_t id)
{
	uint8_t st = c->ids[id];

	if (st == 0) {		/* completed already: say so again */
		sdc_mqtt_send_ack(c, SDC_MQTT_PUBCOMP, id,
		    SDC_MQTT_RC_ID_NOT_FOUND);
		return;
	}
	if ((st & QOS) != 2 || !(st & ACKED)) {
		sdc_mqtt_close(c, true, SDC_MQTT_RC_PROTOCOL,
		    "PUBREL for packet identifier %u before its PUBREC", id);
		return;
	}
	sdc_mqtt_send_ack(c, SDC_MQTT_PUBCOMP, id, 0);
	release(c, id);
}

void
sdc_mqtt_session_ack(struct sdc_mqtt_client *c,
    const struct sdc_mqtt_message *m)
{
	uint16_t id = m->packet_id;
	uint8_t st = c->ids[id];

	if (m->qos == 0 || m->session != c->session ||
	    (st & QOS) != m->qos || (st & ACKED))
		return;
	c->ids[id] |= ACKED;
	if (!(st & CURRENT))
		return;		/* owed to the broker's redelivery */
	if (m->qos == 1) {
		sdc_mqtt_send_ack(c, SDC_MQTT_PUBACK, id, 0);
		release(c, id);
	} else {
		sdc_mqtt_send_ack(c, SDC_MQTT_PUBREC, id, 0);
	}
}

void
sdc_mqtt_session_detach(struct sdc_mqtt_client *c)
{
	if (c->inflight == 0)	/* it counts the identifiers CURRENT */
		return;
	for (size_t i = 0; i <= UINT16_MAX; i++)
		c->ids[i] &= (uint8_t)~CURRENT;
	c->inflight = 0;
}

void
sdc_mqtt_session_forget(struct sdc_mqtt_client *c)
{
	memset(c->ids, 0, (size_t)UINT16_MAX + 1);
	c->inflight = 0;
	c->session++;
}
