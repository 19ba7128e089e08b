#ifndef SDC_MQTT_READ_H
#define SDC_MQTT_READ_H
/*
 * A cursor over one MQTT packet, for the decoder's files only: each
 * read checks that the bytes are there and on failure records the
 * reason and the offset of the field in the packet.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt-packet.h"

struct sdc_mqtt_reader {
	const uint8_t		*base, *p, *end;
	struct sdc_mqtt_error	*err;
};

bool	sdc_mqtt_fail_at(struct sdc_mqtt_reader *r, const uint8_t *at,
	    const char *reason, uint8_t code);
bool	sdc_mqtt_get_u8(struct sdc_mqtt_reader *r, uint8_t *v);
bool	sdc_mqtt_get_u16(struct sdc_mqtt_reader *r, uint16_t *v);
bool	sdc_mqtt_get_u32(struct sdc_mqtt_reader *r, uint32_t *v);
bool	sdc_mqtt_get_varint(struct sdc_mqtt_reader *r, uint32_t *v);
bool	sdc_mqtt_get_binary(struct sdc_mqtt_reader *r,
	    struct sdc_mqtt_bytes *v);
bool	sdc_mqtt_get_string(struct sdc_mqtt_reader *r,
	    struct sdc_mqtt_bytes *v);
/* The MQTT 5 properties at the cursor, those allowed in packet_type. */
bool	sdc_mqtt_get_props(struct sdc_mqtt_reader *r, unsigned packet_type,
	    struct sdc_mqtt_props *pr);

/* A CONNECT packet's variable header and payload (mqtt-connect.c). */
bool	sdc_mqtt_decode_connect(struct sdc_mqtt_reader *r,
	    struct sdc_mqtt_packet *pk);

/* The pseudo packet type of a CONNECT's will properties. */
#define SDC_MQTT_WILL	0

static inline bool
sdc_mqtt_fail(struct sdc_mqtt_reader *r, const char *reason)
{
	return sdc_mqtt_fail_at(r, r->p, reason, SDC_MQTT_RC_MALFORMED);
}

static inline size_t
sdc_mqtt_left(const struct sdc_mqtt_reader *r)
{
	return (size_t)(r->end - r->p);
}

static inline bool
sdc_mqtt_at_end(struct sdc_mqtt_reader *r)
{
	return sdc_mqtt_left(r) == 0 ||
	    sdc_mqtt_fail(r, "bytes after the end of the packet");
}

#endif
