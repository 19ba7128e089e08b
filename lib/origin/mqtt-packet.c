/* MQTT packets: the fixed header, and the checks of each packet type. */
#include <stdint.h>
#include <string.h>

#include "mqtt-read.h"
#include "banned.h"

static const char *const type_names[16] = {
	"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
	"PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
	"PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"
};

const char *
sdc_mqtt_type_name(unsigned type)
{
	return type < 16 ? type_names[type] : "reserved";
}

int
sdc_mqtt_frame(const uint8_t *p, size_t n, size_t max_packet, size_t *total,
    struct sdc_mqtt_error *err)
{
	struct sdc_mqtt_reader r = { p, p + 1, p + n, err };
	uint32_t len;

	if (n < 2)
		return 0;
	/* Enough bytes for the varint, or for it to end early. */
	for (size_t i = 1; i < n && i <= 4; i++)
		if (p[i] < 0x80)
			goto whole;
	if (n < SDC_MQTT_HEADER_MAX)
		return 0;
whole:
	if (!sdc_mqtt_get_varint(&r, &len))
		return -1;
	*total = (size_t)(r.p - p) + len;
	if (*total > max_packet) {
		err->reason = "packet larger than the limit";
		err->offset = 1;
		err->code = SDC_MQTT_RC_TOO_LARGE;
		return -1;
	}
	return 1;
}

/* The reason codes valid in each packet, as MQTT 5 lists them. */
static const char connack_codes[] =
    "\x00\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8c\x90\x95\x97"
    "\x99\x9a\x9b\x9c\x9d\x9f";
static const char puback_codes[] =
    "\x00\x10\x80\x83\x87\x90\x91\x97\x99";
static const char pubrel_codes[] = "\x00\x92";
static const char suback_codes[] =
    "\x00\x01\x02\x80\x83\x87\x8f\x91\x97\x9e\xa1\xa2";
static const char suback_codes_v311[] = "\x00\x01\x02\x80";
static const char unsuback_codes[] = "\x00\x11\x80\x83\x87\x8f\x91";
static const char disconnect_codes[] =
    "\x00\x04\x80\x81\x82\x83\x87\x89\x8b\x8d\x8e\x8f\x90\x93\x94\x95"
    "\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2";
static const char auth_codes[] = "\x00\x18\x19";

/* Code 0 is the first of every list: sizeof counts its NUL as it. */
#define CODE_IN(c, list)	(memchr(list, (c), sizeof list - 1) != NULL)

static bool
get_code(struct sdc_mqtt_reader *r, uint8_t *code, bool valid)
{
	const uint8_t *at = r->p;

	if (!sdc_mqtt_get_u8(r, code))
		return false;
	return valid || sdc_mqtt_fail_at(r, at, "reason code not valid here",
	    SDC_MQTT_RC_PROTOCOL);
}

static bool
get_packet_id(struct sdc_mqtt_reader *r, uint16_t *id)
{
	const uint8_t *at = r->p;

	if (!sdc_mqtt_get_u16(r, id))
		return false;
	return *id != 0 || sdc_mqtt_fail_at(r, at, "packet identifier 0",
	    SDC_MQTT_RC_MALFORMED);
}

static bool
get_topic(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	const uint8_t *at = r->p;
	const char *why;

	if (!sdc_mqtt_get_string(r, &pk->topic))
		return false;
	if (pk->topic.n == 0 && version == SDC_MQTT_V5)
		return true;	/* allowed with a topic alias: checked later */
	if (!sdc_mqtt_topic_valid(pk->topic.p, pk->topic.n, &why))
		return sdc_mqtt_fail_at(r, at, why, SDC_MQTT_RC_MALFORMED);
	return true;
}

static bool
publish_head(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	pk->qos = (pk->flags >> 1) & 3;
	pk->dup = (pk->flags & 8) != 0;
	pk->retain = (pk->flags & 1) != 0;
	if (pk->qos == 3)
		return sdc_mqtt_fail_at(r, r->base, "PUBLISH with QoS 3",
		    SDC_MQTT_RC_MALFORMED);
	if (pk->qos == 0 && pk->dup)
		return sdc_mqtt_fail_at(r, r->base, "PUBLISH of QoS 0 with DUP",
		    SDC_MQTT_RC_MALFORMED);
	if (!get_topic(r, pk, version))
		return false;
	return pk->qos == 0 || get_packet_id(r, &pk->packet_id);
}

static bool
decode_publish(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	if (!publish_head(r, pk, version))
		return false;
	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, SDC_MQTT_PUBLISH, &pk->props))
		return false;
	if (pk->topic.n == 0 && !sdc_mqtt_has(&pk->props, 0x23))
		return sdc_mqtt_fail_at(r, r->base + 2,
		    "empty topic name without a topic alias",
		    SDC_MQTT_RC_PROTOCOL);
	pk->payload.p = r->p;
	pk->payload.n = sdc_mqtt_left(r);
	r->p = r->end;
	return true;
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP: an id, then in MQTT 5 maybe more. */
static bool
decode_ack(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	bool rel = pk->type == SDC_MQTT_PUBREL || pk->type == SDC_MQTT_PUBCOMP;

	if (!get_packet_id(r, &pk->packet_id))
		return false;
	if (version != SDC_MQTT_V5 || sdc_mqtt_left(r) == 0)
		return sdc_mqtt_at_end(r);
	if (!get_code(r, &pk->reason, rel ? CODE_IN(r->p[0], pubrel_codes) :
	    CODE_IN(r->p[0], puback_codes)))
		return false;
	if (sdc_mqtt_left(r) > 0 &&
	    !sdc_mqtt_get_props(r, pk->type, &pk->props))
		return false;
	return sdc_mqtt_at_end(r);
}

static bool
decode_connack(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	const uint8_t *at = r->p;
	uint8_t flags;
	bool valid;

	if (!sdc_mqtt_get_u8(r, &flags))
		return false;
	if (flags > 1)
		return sdc_mqtt_fail_at(r, at, "reserved CONNACK flags set",
		    SDC_MQTT_RC_MALFORMED);
	pk->session_present = flags == 1;
	if (sdc_mqtt_left(r) == 0)
		return sdc_mqtt_fail(r, "CONNACK without its code");
	valid = version == SDC_MQTT_V5 ? CODE_IN(r->p[0], connack_codes) :
	    r->p[0] <= 5;
	if (!get_code(r, &pk->reason, valid))
		return false;
	if (pk->reason != 0 && pk->session_present)
		return sdc_mqtt_fail_at(r, at, "session present on a refusal",
		    SDC_MQTT_RC_PROTOCOL);
	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, SDC_MQTT_CONNACK, &pk->props))
		return false;
	return sdc_mqtt_at_end(r);
}

/* SUBACK and UNSUBACK: an id, properties, then a reason code a filter. */
static bool
decode_suback(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	bool sub = pk->type == SDC_MQTT_SUBACK;

	if (!get_packet_id(r, &pk->packet_id))
		return false;
	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, pk->type, &pk->props))
		return false;
	if (!sub && version != SDC_MQTT_V5)
		return sdc_mqtt_at_end(r);
	if (sdc_mqtt_left(r) == 0)
		return sdc_mqtt_fail(r, "no reason codes");
	pk->list.p = r->p;
	pk->list.n = sdc_mqtt_left(r);
	for (; r->p < r->end; r->p++) {
		bool valid = !sub ? CODE_IN(*r->p, unsuback_codes) :
		    version == SDC_MQTT_V5 ? CODE_IN(*r->p, suback_codes) :
		    CODE_IN(*r->p, suback_codes_v311);

		if (!valid)
			return sdc_mqtt_fail_at(r, r->p,
			    "reason code not valid here",
			    SDC_MQTT_RC_PROTOCOL);
	}
	return true;
}

static bool
check_options(struct sdc_mqtt_reader *r, const uint8_t *at, uint8_t o,
    uint8_t version)
{
	uint8_t reserved = version == SDC_MQTT_V5 ? 0xc0 : 0xfc;

	if (o & reserved)
		return sdc_mqtt_fail_at(r, at,
		    "reserved subscription option bits set",
		    SDC_MQTT_RC_MALFORMED);
	if ((o & 3) == 3)
		return sdc_mqtt_fail_at(r, at, "subscription of QoS 3",
		    SDC_MQTT_RC_MALFORMED);
	if ((o & 0x30) == 0x30)
		return sdc_mqtt_fail_at(r, at, "retain handling 3",
		    SDC_MQTT_RC_PROTOCOL);
	return true;
}

/* SUBSCRIBE and UNSUBSCRIBE: an id, properties, then the filters. */
static bool
decode_subscribe(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	bool sub = pk->type == SDC_MQTT_SUBSCRIBE;

	if (!get_packet_id(r, &pk->packet_id))
		return false;
	if (version == SDC_MQTT_V5 &&
	    !sdc_mqtt_get_props(r, pk->type, &pk->props))
		return false;
	if (sdc_mqtt_left(r) == 0)
		return sdc_mqtt_fail_at(r, r->p, "no topic filters",
		    SDC_MQTT_RC_PROTOCOL);
	pk->list.p = r->p;
	pk->list.n = sdc_mqtt_left(r);
	while (r->p < r->end) {
		const uint8_t *at = r->p;
		struct sdc_mqtt_bytes f;
		const char *why;
		uint8_t o;

		if (!sdc_mqtt_get_string(r, &f))
			return false;
		if (!sdc_mqtt_filter_valid(f.p, f.n, &why))
			return sdc_mqtt_fail_at(r, at, why,
			    SDC_MQTT_RC_MALFORMED);
		at = r->p;
		if (sub && (!sdc_mqtt_get_u8(r, &o) ||
		    !check_options(r, at, o, version)))
			return false;
	}
	return true;
}

bool
sdc_mqtt_next_filter(struct sdc_mqtt_bytes *list,
    struct sdc_mqtt_bytes *filter, uint8_t *options)
{
	size_t n;

	if (list->n < 3)
		return false;
	n = (size_t)list->p[0] << 8 | list->p[1];
	if (n + 3 > list->n)
		return false;
	filter->p = list->p + 2;
	filter->n = n;
	*options = list->p[2 + n];
	list->p += n + 3;
	list->n -= n + 3;
	return true;
}

/* DISCONNECT and AUTH: nothing (reason 0), or a reason and properties. */
static bool
decode_reason(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	bool valid;

	if (pk->type == SDC_MQTT_AUTH && version != SDC_MQTT_V5)
		return sdc_mqtt_fail_at(r, r->base,
		    "packet type 15 before MQTT 5", SDC_MQTT_RC_MALFORMED);
	if (version != SDC_MQTT_V5 || sdc_mqtt_left(r) == 0)
		return sdc_mqtt_at_end(r);
	valid = pk->type == SDC_MQTT_AUTH ? CODE_IN(r->p[0], auth_codes) :
	    CODE_IN(r->p[0], disconnect_codes);
	if (!get_code(r, &pk->reason, valid))
		return false;
	if (sdc_mqtt_left(r) > 0 &&
	    !sdc_mqtt_get_props(r, pk->type, &pk->props))
		return false;
	return sdc_mqtt_at_end(r);
}

/* The flags each packet type must have in the fixed header's low bits. */
static bool
check_flags(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk)
{
	uint8_t want = 0;

	if (pk->type == SDC_MQTT_PUBLISH)
		return true;
	if (pk->type == SDC_MQTT_PUBREL || pk->type == SDC_MQTT_SUBSCRIBE ||
	    pk->type == SDC_MQTT_UNSUBSCRIBE)
		want = 2;
	if (pk->flags != want)
		return sdc_mqtt_fail_at(r, r->base,
		    "reserved fixed header flags wrong", SDC_MQTT_RC_MALFORMED);
	return true;
}

static bool
decode_body(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint8_t version)
{
	switch (pk->type) {
	case SDC_MQTT_CONNECT:
		return sdc_mqtt_decode_connect(r, pk);
	case SDC_MQTT_CONNACK:
		return decode_connack(r, pk, version);
	case SDC_MQTT_PUBLISH:
		return decode_publish(r, pk, version);
	case SDC_MQTT_PUBACK: case SDC_MQTT_PUBREC:
	case SDC_MQTT_PUBREL: case SDC_MQTT_PUBCOMP:
		return decode_ack(r, pk, version);
	case SDC_MQTT_SUBSCRIBE: case SDC_MQTT_UNSUBSCRIBE:
		return decode_subscribe(r, pk, version);
	case SDC_MQTT_SUBACK: case SDC_MQTT_UNSUBACK:
		return decode_suback(r, pk, version);
	case SDC_MQTT_PINGREQ: case SDC_MQTT_PINGRESP:
		return sdc_mqtt_at_end(r);
	case SDC_MQTT_DISCONNECT: case SDC_MQTT_AUTH:
		return decode_reason(r, pk, version);
	default:
		return sdc_mqtt_fail_at(r, r->base, "packet type 0",
		    SDC_MQTT_RC_MALFORMED);
	}
}

/* The fixed header of a packet known to be whole, or to start with it. */
static bool
fixed_header(struct sdc_mqtt_reader *r, struct sdc_mqtt_packet *pk,
    uint32_t *len)
{
	memset(pk, 0, sizeof *pk);
	pk->type = r->base[0] >> 4;
	pk->flags = r->base[0] & 0x0f;
	r->p = r->base + 1;
	return sdc_mqtt_get_varint(r, len) && check_flags(r, pk);
}

bool
sdc_mqtt_decode(struct sdc_mqtt_packet *pk, const uint8_t *p, size_t n,
    uint8_t version, struct sdc_mqtt_error *err)
{
	struct sdc_mqtt_reader r = { p, p, p + n, err };
	uint32_t len;

	if (n == 0)
		return sdc_mqtt_fail(&r, "empty packet");
	if (!fixed_header(&r, pk, &len))
		return false;
	if (len != sdc_mqtt_left(&r))
		return sdc_mqtt_fail_at(&r, p + 1,
		    "remaining length not the packet's", SDC_MQTT_RC_MALFORMED);
	return decode_body(&r, pk, version);
}

int
sdc_mqtt_decode_publish_head(struct sdc_mqtt_packet *pk, const uint8_t *p,
    size_t n, uint8_t version, struct sdc_mqtt_error *err)
{
	struct sdc_mqtt_reader r = { p, p, p + n, err };
	size_t total, head, need;
	uint32_t len;
	int whole;

	if ((whole = sdc_mqtt_frame(p, n, SIZE_MAX, &total, err)) <= 0)
		return whole;
	if (!fixed_header(&r, pk, &len))
		return -1;
	if (pk->type != SDC_MQTT_PUBLISH)
		return sdc_mqtt_fail_at(&r, p, "not a PUBLISH",
		    SDC_MQTT_RC_PROTOCOL) ? 1 : -1;
	head = (size_t)(r.p - p);
	if (n < head + 2)
		return 0;
	need = head + 2 + ((size_t)p[head] << 8 | p[head + 1]) +
	    (pk->flags & 6 ? 2 : 0);
	if (need > total)
		need = total;	/* then the head is cut short: malformed */
	if (n < need)
		return 0;
	r.end = p + need;
	return publish_head(&r, pk, version) ? 1 : -1;
}
