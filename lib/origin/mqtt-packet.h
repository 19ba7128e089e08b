#ifndef SDC_MQTT_PACKET_H
#define SDC_MQTT_PACKET_H
/*
 * MQTT 3.1.1 (protocol level 4) and MQTT 5 (level 5) control packets,
 * without I/O: what a subscriber sends and receives, encoded into an
 * sdc_buf and decoded from the bytes of one whole packet.
 *
 * Reading a stream: sdc_mqtt_frame tells from the first bytes how long
 * the packet is, refusing one longer than the limit before anything is
 * buffered; sdc_mqtt_decode then checks the whole packet strictly by the
 * specifications (reserved flag bits, remaining-length varint of at most
 * 4 minimal bytes, UTF-8 strings valid and without U+0000, non-zero
 * packet identifiers, each property allowed in that packet and at most
 * once) and fills a struct sdc_mqtt_packet whose byte views point into
 * the caller's bytes (they live as long as those bytes).  A malformed
 * packet yields a reason, the byte offset in the packet, and the MQTT 5
 * reason code to disconnect with.
 *
 * The encoders append a whole packet to the buffer, or nothing and
 * false when the buffer's cap or a field's limit is passed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum sdc_mqtt_type {
	SDC_MQTT_CONNECT = 1, SDC_MQTT_CONNACK, SDC_MQTT_PUBLISH,
	SDC_MQTT_PUBACK, SDC_MQTT_PUBREC, SDC_MQTT_PUBREL, SDC_MQTT_PUBCOMP,
	SDC_MQTT_SUBSCRIBE, SDC_MQTT_SUBACK, SDC_MQTT_UNSUBSCRIBE,
	SDC_MQTT_UNSUBACK, SDC_MQTT_PINGREQ, SDC_MQTT_PINGRESP,
	SDC_MQTT_DISCONNECT, SDC_MQTT_AUTH
};

#define SDC_MQTT_V311	4
#define SDC_MQTT_V5	5

/* MQTT 5 reason codes the client itself sends or checks. */
#define SDC_MQTT_RC_SUCCESS		0x00
#define SDC_MQTT_RC_UNSPECIFIED		0x80
#define SDC_MQTT_RC_MALFORMED		0x81
#define SDC_MQTT_RC_PROTOCOL		0x82
#define SDC_MQTT_RC_ID_NOT_FOUND	0x92
#define SDC_MQTT_RC_RECEIVE_MAX		0x93
#define SDC_MQTT_RC_TOPIC_ALIAS		0x94
#define SDC_MQTT_RC_TOO_LARGE		0x95
#define SDC_MQTT_RC_KEEPALIVE		0x8d

/* The fixed header: a byte, then at most 4 bytes of remaining length. */
#define SDC_MQTT_HEADER_MAX	5
#define SDC_MQTT_REMAINING_MAX	268435455u

struct sdc_mqtt_bytes {
	const uint8_t	*p;
	size_t		 n;
};

struct sdc_mqtt_error {
	const char	*reason;	/* static text */
	size_t		 offset;	/* in the packet, from its first byte */
	uint8_t		 code;		/* MQTT 5 reason code to disconnect */
};

/* Bits of sdc_mqtt_props.present, one per property identifier kept. */
#define SDC_MQTT_PROP_BIT(id)	(UINT64_C(1) << (id))

/* The MQTT 5 properties of a packet; the bit of each one present is set. */
struct sdc_mqtt_props {
	uint64_t		present;
	uint32_t		session_expiry;		/* 0x11 */
	uint32_t		message_expiry;		/* 0x02 */
	uint32_t		max_packet;		/* 0x27 */
	uint32_t		subscription_id;	/* 0x0b, the first */
	uint16_t		receive_max;		/* 0x21 */
	uint16_t		topic_alias_max;	/* 0x22 */
	uint16_t		topic_alias;		/* 0x23 */
	uint16_t		server_keepalive;	/* 0x13 */
	uint8_t			payload_format;		/* 0x01 */
	uint8_t			max_qos;		/* 0x24 */
	uint8_t			retain_available;	/* 0x25 */
	struct sdc_mqtt_bytes	content_type;		/* 0x03 */
	struct sdc_mqtt_bytes	response_topic;		/* 0x08 */
	struct sdc_mqtt_bytes	correlation;		/* 0x09 */
	struct sdc_mqtt_bytes	assigned_client_id;	/* 0x12 */
	struct sdc_mqtt_bytes	reason_string;		/* 0x1f */
	struct sdc_mqtt_bytes	server_reference;	/* 0x1c */
	size_t			user_properties;	/* 0x26, a count */
};

static inline bool
sdc_mqtt_has(const struct sdc_mqtt_props *pr, unsigned id)
{
	return (pr->present & SDC_MQTT_PROP_BIT(id)) != 0;
}

/*
 * One decoded packet.  Which fields mean something depends on type:
 * PUBLISH (topic, payload, qos, dup, retain, packet_id), the acks
 * (packet_id, reason), CONNACK (session_present, reason: the 3.1.1
 * return code or the MQTT 5 reason code), SUBACK and UNSUBACK
 * (packet_id, list: a reason code a filter), SUBSCRIBE (packet_id, list:
 * filters each followed by its options byte, walked with
 * sdc_mqtt_next_filter), UNSUBSCRIBE (packet_id, list: filters),
 * CONNECT (connect), DISCONNECT and AUTH (reason).
 */
struct sdc_mqtt_packet {
	uint8_t			type;
	uint8_t			flags;		/* low 4 bits of byte 1 */
	uint8_t			qos;
	bool			dup, retain;
	bool			session_present;
	uint8_t			reason;
	uint16_t		packet_id;
	struct sdc_mqtt_bytes	topic, payload, list;
	struct {
		uint8_t			version;
		bool			clean;
		uint16_t		keepalive;
		struct sdc_mqtt_bytes	client_id, username, password;
		bool			has_username, has_password, has_will;
	}			connect;
	struct sdc_mqtt_props	props;
};

/*
 * The length of the packet at the start of p[0..n): 1 and *total set
 * when its fixed header is whole, 0 when more bytes are needed, -1 and
 * err set when the remaining length is malformed or the packet would
 * pass max_packet bytes in all (err->code SDC_MQTT_RC_TOO_LARGE; *total
 * is then still set, so that a caller may skip the packet).
 */
int	sdc_mqtt_frame(const uint8_t *p, size_t n, size_t max_packet,
	    size_t *total, struct sdc_mqtt_error *err);
/* Decode one whole packet of n bytes, as sdc_mqtt_frame measured it. */
bool	sdc_mqtt_decode(struct sdc_mqtt_packet *pk, const uint8_t *p,
	    size_t n, uint8_t version, struct sdc_mqtt_error *err);
/*
 * The start of a PUBLISH from its first n bytes (n less than the whole
 * packet): the topic and packet identifier, checked, for refusing a
 * PUBLISH too large to buffer.  0 when more bytes are needed.
 */
int	sdc_mqtt_decode_publish_head(struct sdc_mqtt_packet *pk,
	    const uint8_t *p, size_t n, uint8_t version,
	    struct sdc_mqtt_error *err);
/* Walk a SUBSCRIBE's list: false at its end. */
bool	sdc_mqtt_next_filter(struct sdc_mqtt_bytes *list,
	    struct sdc_mqtt_bytes *filter, uint8_t *options);

/* A topic filter: valid UTF-8, '+' and '#' only as whole levels, '#' last. */
bool	sdc_mqtt_filter_valid(const uint8_t *p, size_t n, const char **why);
/* A topic name: valid UTF-8 without U+0000 and without wildcards. */
bool	sdc_mqtt_topic_valid(const uint8_t *p, size_t n, const char **why);
/* Does a topic name match a filter ("$" topics only by "$" filters)? */
bool	sdc_mqtt_topic_matches(const uint8_t *filter, size_t fn,
	    const uint8_t *topic, size_t tn);
/* An MQTT UTF-8 string's text: valid UTF-8 without U+0000. */
bool	sdc_mqtt_utf8_valid(const uint8_t *p, size_t n);
/* A reason code's name (MQTT 3.1.1's CONNACK: its return code's). */
const char *sdc_mqtt_reason_name(uint8_t version, uint8_t type, uint8_t code);
/* A name for a packet type, "PUBLISH", or "reserved". */
const char *sdc_mqtt_type_name(unsigned type);

/* Encoders: the whole packet appended to b, or nothing and false. */
struct sdc_mqtt_connect {
	uint8_t		 version;	/* SDC_MQTT_V311 or SDC_MQTT_V5 */
	const char	*client_id;	/* "" lets the broker pick */
	bool		 clean;		/* clean session / clean start */
	uint16_t	 keepalive;	/* seconds, 0 for none */
	const char	*username;	/* NULL for none */
	const uint8_t	*password;	/* NULL for none */
	size_t		 password_len;
	/* MQTT 5 only; 0 leaves a property out */
	uint32_t	 session_expiry;
	uint16_t	 receive_max;
	uint32_t	 max_packet;
};

struct sdc_mqtt_subscription {
	const char	*filter;
	uint8_t		 qos;		/* the maximum QoS wanted */
	uint8_t		 options;	/* MQTT 5: bits 2-5 of the byte */
};

struct sdc_mqtt_publish {
	const char	*topic;
	const uint8_t	*payload;
	size_t		 payload_len;
	uint8_t		 qos;
	bool		 dup, retain;
	uint16_t	 packet_id;
};

bool	sdc_mqtt_put_connect(struct sdc_buf *b,
	    const struct sdc_mqtt_connect *c);
bool	sdc_mqtt_put_subscribe(struct sdc_buf *b, uint8_t version,
	    uint16_t packet_id, const struct sdc_mqtt_subscription *subs,
	    size_t n);
bool	sdc_mqtt_put_unsubscribe(struct sdc_buf *b, uint8_t version,
	    uint16_t packet_id, const char *const *filters, size_t n);
/* PUBACK, PUBREC, PUBREL or PUBCOMP (MQTT 5: reason 0 is left out). */
bool	sdc_mqtt_put_ack(struct sdc_buf *b, uint8_t version, uint8_t type,
	    uint16_t packet_id, uint8_t reason);
/* PINGREQ or PINGRESP. */
bool	sdc_mqtt_put_empty(struct sdc_buf *b, uint8_t type);
bool	sdc_mqtt_put_disconnect(struct sdc_buf *b, uint8_t version,
	    uint8_t reason);
/* The broker's side, for tests and fuzzing. */
bool	sdc_mqtt_put_publish(struct sdc_buf *b, uint8_t version,
	    const struct sdc_mqtt_publish *m);
bool	sdc_mqtt_put_connack(struct sdc_buf *b, uint8_t version,
	    bool session_present, uint8_t reason);
bool	sdc_mqtt_put_suback(struct sdc_buf *b, uint8_t version,
	    uint16_t packet_id, const uint8_t *codes, size_t n);

#endif
