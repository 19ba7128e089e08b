/* The CONNECT packet's checks, for tests of the encoder and for fuzzing. */
#include <stdint.h>
#include <string.h>

#include "mqtt-read.h"
#include "banned.h"

static bool
connect_flags(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t flags)
{
	const uint8_t *at = r->p - 1;
	uint8_t will_qos = (flags >> 3) & 3;

	if (flags & 1)
		return sdc_mqtt_fail_at(r, at, "reserved CONNECT flag set",
		    SDC_MQTT_RC_MALFORMED);
	pk->connect.clean = (flags & 2) != 0;
	pk->connect.has_will = (flags & 4) != 0;
	pk->connect.has_password = (flags & 0x40) != 0;
	pk->connect.has_username = (flags & 0x80) != 0;
	if (will_qos == 3 || (!pk->connect.has_will && (flags & 0x38)))
		return sdc_mqtt_fail_at(r, at, "will flags not valid",
		    SDC_MQTT_RC_MALFORMED);
	if (pk->connect.version == SDC_MQTT_V311 &&
	    pk->connect.has_password && !pk->connect.has_username)
		return sdc_mqtt_fail_at(r, at, "password without a user name",
		    SDC_MQTT_RC_MALFORMED);
	return true;
}

static bool
protocol(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk)
{
	const uint8_t *at = r->p;
	struct sdc_mqtt_bytes name;

	if (!sdc_mqtt_get_string(r, &name))
		return false;
	if (name.n != 4 || memcmp(name.p, "MQTT", 4) != 0)
		return sdc_mqtt_fail_at(r, at, "protocol name not MQTT",
		    SDC_MQTT_RC_MALFORMED);
	at = r->p;
	if (!sdc_mqtt_get_u8(r, &pk->connect.version))
		return false;
	if (pk->connect.version != SDC_MQTT_V311 &&
	    pk->connect.version != SDC_MQTT_V5)
		return sdc_mqtt_fail_at(r, at, "protocol level not 4 or 5",
		    0x84);
	return true;
}

static bool
will(struct sdc_mqtt_reader *r, uint8_t version)
{
	struct sdc_mqtt_props props;
	struct sdc_mqtt_bytes topic, payload;
	const uint8_t *at;
	const char *why;

	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, SDC_MQTT_WILL, &props))
		return false;
	at = r->p;
	if (!sdc_mqtt_get_string(r, &topic))
		return false;
	if (!sdc_mqtt_topic_valid(topic.p, topic.n, &why))
		return sdc_mqtt_fail_at(r, at, why, SDC_MQTT_RC_MALFORMED);
	return sdc_mqtt_get_binary(r, &payload);
}

bool
sdc_mqtt_decode_connect(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk)
{
	uint8_t flags, version;

	if (!protocol(r, pk) || !sdc_mqtt_get_u8(r, &flags) ||
	    !connect_flags(r, pk, flags) ||
	    !sdc_mqtt_get_u16(r, &pk->connect.keepalive))
		return false;
	version = pk->connect.version;
	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, SDC_MQTT_CONNECT, &pk->props))
		return false;
	if (!sdc_mqtt_get_string(r, &pk->connect.client_id))
		return false;
	if (pk->connect.has_will && !will(r, version))
		return false;
	if (pk->connect.has_username &&
	    !sdc_mqtt_get_string(r, &pk->connect.username))
		return false;
	if (pk->connect.has_password &&
	    !sdc_mqtt_get_binary(r, &pk->connect.password))
		return false;
	return sdc_mqtt_at_end(r);
}
