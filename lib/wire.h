#ifndef SDC_WIRE_H
#define SDC_WIRE_H
/*
 * The framed record wire format of sdc-record(5): stream header,
 * frames, and the record encoding inside data, error and event frames.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

#define SDC_MAGIC		"\x89SDC\r\n\x1a\n"
#define SDC_MAGIC_LEN		8
#define SDC_STREAM_HEADER_LEN	10	/* magic, version, flags */
#define SDC_WIRE_VERSION	1
#define SDC_FRAME_HEADER_LEN	9	/* kind, length, crc32c */
#define SDC_MAX_DEPTH		128	/* nesting of LIST and MAP */
#define SDC_DEFAULT_MAX_RECORD	(16u << 20)

uint32_t sdc_crc32c(uint32_t crc, const void *p, size_t n);

/* Kinds 6 to 127 are reserved for later versions and pass through. */
static inline bool
sdc_kind_is_known(uint8_t kind)
{
	return kind >= SDC_KIND_DATA && kind <= SDC_KIND_END;
}

static inline bool
sdc_kind_is_forwardable(uint8_t kind)
{
	return kind >= 1 && kind <= 127 && kind != SDC_KIND_END;
}

void	sdc_wire_stream_header(struct sdc_buf *out);
/*
 * Append r as one complete frame.  False, with the buffer unchanged
 * and a static reason, when the payload would exceed max_payload bytes
 * (or the buffer cap) or nest deeper than SDC_MAX_DEPTH.
 */
bool	sdc_wire_encode(struct sdc_buf *out, const struct sdc_record *r,
	    size_t max_payload, const char **reason);
/* Append a frame of kind around payload (batch, end, or forwarded). */
bool	sdc_wire_frame(struct sdc_buf *out, uint8_t kind, const void *payload,
	    size_t len);
/*
 * Decode the payload of a data, error or event frame into r, which
 * borrows from payload.  -1 with a static reason when malformed.
 */
int	sdc_wire_decode(struct sdc_record *r, enum sdc_kind kind,
	    const uint8_t *payload, size_t len, const char **reason);

#endif
