/* The MQTT decoder's cursor: its data types and the MQTT 5 properties. */
#include <stdint.h>
#include <string.h>

#include "mqtt-read.h"
#include "banned.h"

bool
sdc_mqtt_fail_at(struct sdc_mqtt_reader *r, const uint8_t *at,
    const char *reason, uint8_t code)
{
	r->err->reason = reason;
	r->err->offset = (size_t)(at - r->base);
	r->err->code = code;
	return false;
}

static bool
need(struct sdc_mqtt_reader *r, size_t n, const char *what)
{
	return sdc_mqtt_left(r) >= n || sdc_mqtt_fail(r, what);
}

bool
sdc_mqtt_get_u8(struct sdc_mqtt_reader *r, uint8_t *v)
{
	if (!need(r, 1, "packet cut short"))
		return false;
	*v = *r->p++;
	return true;
}

bool
sdc_mqtt_get_u16(struct sdc_mqtt_reader *r, uint16_t *v)
{
	if (!need(r, 2, "packet cut short in a two-byte integer"))
		return false;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return true;
}

bool
sdc_mqtt_get_u32(struct sdc_mqtt_reader *r, uint32_t *v)
{
	if (!need(r, 4, "packet cut short in a four-byte integer"))
		return false;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return true;
}

/* At most 4 bytes, and no more than the value needs. */
bool
sdc_mqtt_get_varint(struct sdc_mqtt_reader *r, uint32_t *v)
{
	const uint8_t *start = r->p;
	uint32_t value = 0;

	for (unsigned i = 0; i < 4; i++) {
		uint8_t b;

		if (!need(r, 1, "packet cut short in a variable byte integer"))
			return false;
		b = *r->p++;
		value |= (uint32_t)(b & 0x7f) << (7 * i);
		if (b < 0x80) {
			if (b == 0 && i > 0)
				return sdc_mqtt_fail_at(r, start,
				    "variable byte integer not in its "
				    "fewest bytes", SDC_MQTT_RC_MALFORMED);
			*v = value;
			return true;
		}
	}
	return sdc_mqtt_fail_at(r, start,
	    "variable byte integer longer than 4 bytes",
	    SDC_MQTT_RC_MALFORMED);
}

bool
sdc_mqtt_get_binary(struct sdc_mqtt_reader *r, struct sdc_mqtt_bytes *v)
{
	uint16_t n;

	if (!sdc_mqtt_get_u16(r, &n))
		return false;
	if (!need(r, n, "string or binary data longer than the packet"))
		return false;
	v->p = r->p;
	v->n = n;
	r->p += n;
	return true;
}

bool
sdc_mqtt_get_string(struct sdc_mqtt_reader *r, struct sdc_mqtt_bytes *v)
{
	const uint8_t *start = r->p;

	if (!sdc_mqtt_get_binary(r, v))
		return false;
	if (!sdc_mqtt_utf8_valid(v->p, v->n))
		return sdc_mqtt_fail_at(r, start,
		    "string not valid UTF-8 or with U+0000",
		    SDC_MQTT_RC_MALFORMED);
	return true;
}

/* The properties: each one's data type and the packets it may be in. */
enum prop_kind { NONE, BYTE, BOOL, U16, U16NZ, U32, U32NZ, VARINT, STR, BIN,
    PAIR };

#define IN(t)	(1u << (t))
#define PUB	IN(SDC_MQTT_PUBLISH)
#define WILL	IN(SDC_MQTT_WILL)
#define CONN	IN(SDC_MQTT_CONNECT)
#define CACK	IN(SDC_MQTT_CONNACK)
#define DISC	IN(SDC_MQTT_DISCONNECT)
#define AUTH	IN(SDC_MQTT_AUTH)
#define ACKS	(IN(SDC_MQTT_PUBACK) | IN(SDC_MQTT_PUBREC) | \
    IN(SDC_MQTT_PUBREL) | IN(SDC_MQTT_PUBCOMP) | IN(SDC_MQTT_SUBACK) | \
    IN(SDC_MQTT_UNSUBACK))
#define ALL	(0xfffeu | WILL)

static const struct {
	uint8_t		kind;
	uint16_t	packets;
} props[0x2b] = {
	[0x01] = { BOOL, PUB | WILL },		/* payload format */
	[0x02] = { U32, PUB | WILL },		/* message expiry */
	[0x03] = { STR, PUB | WILL },		/* content type */
	[0x08] = { STR, PUB | WILL },		/* response topic */
	[0x09] = { BIN, PUB | WILL },		/* correlation data */
	[0x0b] = { VARINT, PUB | IN(SDC_MQTT_SUBSCRIBE) },
	[0x11] = { U32, CONN | CACK | DISC },	/* session expiry */
	[0x12] = { STR, CACK },			/* assigned client id */
	[0x13] = { U16, CACK },			/* server keep alive */
	[0x15] = { STR, CONN | CACK | AUTH },	/* authentication method */
	[0x16] = { BIN, CONN | CACK | AUTH },	/* authentication data */
	[0x17] = { BOOL, CONN },		/* request problem info */
	[0x18] = { U32, WILL },			/* will delay */
	[0x19] = { BOOL, CONN },		/* request response info */
	[0x1a] = { STR, CACK },			/* response information */
	[0x1c] = { STR, CACK | DISC },		/* server reference */
	[0x1f] = { STR, CACK | ACKS | DISC | AUTH },	/* reason string */
	[0x21] = { U16NZ, CONN | CACK },	/* receive maximum */
	[0x22] = { U16, CONN | CACK },		/* topic alias maximum */
	[0x23] = { U16NZ, PUB },		/* topic alias */
	[0x24] = { BOOL, CACK },		/* maximum QoS */
	[0x25] = { BOOL, CACK },		/* retain available */
	[0x26] = { PAIR, ALL },			/* user property */
	[0x27] = { U32NZ, CONN | CACK },	/* maximum packet size */
	[0x28] = { BOOL, CACK },		/* wildcard subscriptions */
	[0x29] = { BOOL, CACK },		/* subscription identifiers */
	[0x2a] = { BOOL, CACK },		/* shared subscriptions */
};

/* A property's value, checked by its type; *num for the numeric ones. */
static bool
get_value(struct sdc_mqtt_reader *r, unsigned kind, uint32_t *num,
    struct sdc_mqtt_bytes *bytes)
{
	const uint8_t *at = r->p;
	uint16_t u16;
	uint8_t u8;
	bool ok;

	*num = 0;
	switch (kind) {
	case BYTE:
	case BOOL:
		ok = sdc_mqtt_get_u8(r, &u8);
		*num = u8;
		if (ok && kind == BOOL && u8 > 1)
			return sdc_mqtt_fail_at(r, at,
			    "property value not 0 or 1", SDC_MQTT_RC_PROTOCOL);
		return ok;
	case U16:
	case U16NZ:
		ok = sdc_mqtt_get_u16(r, &u16);
		*num = u16;
		break;
	case U32:
	case U32NZ:
		ok = sdc_mqtt_get_u32(r, num);
		break;
	case VARINT:
		ok = sdc_mqtt_get_varint(r, num);
		if (ok && *num == 0)
			return sdc_mqtt_fail_at(r, at,
			    "subscription identifier 0", SDC_MQTT_RC_PROTOCOL);
		return ok;
	case STR:
		return sdc_mqtt_get_string(r, bytes);
	case BIN:
		return sdc_mqtt_get_binary(r, bytes);
	default:	/* PAIR */
		return sdc_mqtt_get_string(r, bytes) &&
		    sdc_mqtt_get_string(r, bytes);
	}
	if (ok && *num == 0 && (kind == U16NZ || kind == U32NZ))
		return sdc_mqtt_fail_at(r, at, "property value 0",
		    SDC_MQTT_RC_PROTOCOL);
	return ok;
}

static void
keep(struct sdc_mqtt_props *pr, unsigned id, uint32_t num,
    struct sdc_mqtt_bytes bytes)
{
	switch (id) {
	case 0x01: pr->payload_format = (uint8_t)num; break;
	case 0x02: pr->message_expiry = num; break;
	case 0x03: pr->content_type = bytes; break;
	case 0x08: pr->response_topic = bytes; break;
	case 0x09: pr->correlation = bytes; break;
	case 0x0b:
		if (pr->subscription_id == 0)
			pr->subscription_id = num;
		break;
	case 0x11: pr->session_expiry = num; break;
	case 0x12: pr->assigned_client_id = bytes; break;
	case 0x13: pr->server_keepalive = (uint16_t)num; break;
	case 0x1c: pr->server_reference = bytes; break;
	case 0x1f: pr->reason_string = bytes; break;
	case 0x21: pr->receive_max = (uint16_t)num; break;
	case 0x22: pr->topic_alias_max = (uint16_t)num; break;
	case 0x23: pr->topic_alias = (uint16_t)num; break;
	case 0x24: pr->max_qos = (uint8_t)num; break;
	case 0x25: pr->retain_available = (uint8_t)num; break;
	case 0x26: pr->user_properties++; break;
	case 0x27: pr->max_packet = num; break;
	default: break;
	}
}

static bool
get_prop(struct sdc_mqtt_reader *r, unsigned packet_type,
    struct sdc_mqtt_props *pr)
{
	const uint8_t *at = r->p;
	struct sdc_mqtt_bytes bytes = { NULL, 0 };
	uint32_t id, num;

	if (!sdc_mqtt_get_varint(r, &id))
		return false;
	if (id >= sizeof props / sizeof props[0] || props[id].kind == NONE)
		return sdc_mqtt_fail_at(r, at, "unknown property identifier",
		    SDC_MQTT_RC_MALFORMED);
	if ((props[id].packets & IN(packet_type)) == 0)
		return sdc_mqtt_fail_at(r, at,
		    "property not allowed in this packet",
		    SDC_MQTT_RC_PROTOCOL);
	if (sdc_mqtt_has(pr, id) && id != 0x26 &&
	    !(id == 0x0b && packet_type == SDC_MQTT_PUBLISH))
		return sdc_mqtt_fail_at(r, at, "property given twice",
		    SDC_MQTT_RC_PROTOCOL);
	if (!get_value(r, props[id].kind, &num, &bytes))
		return false;
	pr->present |= SDC_MQTT_PROP_BIT(id);
	keep(pr, id, num, bytes);
	return true;
}

bool
sdc_mqtt_get_props(struct sdc_mqtt_reader *r, unsigned packet_type,
    struct sdc_mqtt_props *pr)
{
	struct sdc_mqtt_reader inner;
	uint32_t len;

	memset(pr, 0, sizeof *pr);
	if (!sdc_mqtt_get_varint(r, &len))
		return false;
	if (len > sdc_mqtt_left(r))
		return sdc_mqtt_fail(r, "property length past the packet");
	inner = *r;
	inner.end = r->p + len;
	while (inner.p < inner.end)
		if (!get_prop(&inner, packet_type, pr))
			return false;
	r->p = inner.end;
	return true;
}
