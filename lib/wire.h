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
/* The type byte of a field. */
#define SDC_WIRE_TYPE		0x1f	/* the type code */
#define SDC_WIRE_RESERVED	0x20
#define SDC_WIRE_ATTRS		0x40	/* attributes follow the byte */
#define SDC_WIRE_NULL		0x80	/* no value follows */
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
/*
 * Rows: data records whose root is a LIST_MAP of STRINGs under given
 * keys, or a LIST of STRINGs, encoded straight from the cells of a
 * line, byte for byte as sdc_wire_encode encodes the same record.  The
 * layout holds what the rows of one source share: the stage that made
 * them and the column keys, encoded once.
 */
struct sdc_row_layout {
	struct sdc_buf	 shared;	/* stages and attributes */
	struct sdc_buf	 cells;		/* each cell's key and type byte */
	uint32_t	*cell_end;	/* where cell i's part of cells ends */
	size_t		 ncols;		/* keys; 0 for a LIST */
};

/* keys NULL: rows are LISTs.  The keys must be distinct. */
void	sdc_row_layout_init(struct sdc_row_layout *l, const char *stage,
	    const struct sdc_str *keys, size_t nkeys);
void	sdc_row_layout_release(struct sdc_row_layout *l);
/*
 * Append the frame of the row whose cells are line[0..ends[0]),
 * line[ends[0] + 1..ends[1]) and so on (as many as the layout has
 * keys, when it has some), with source id.  False, with nothing
 * appended, when the payload would exceed max_payload.
 */
bool	sdc_wire_encode_row(struct sdc_buf *out,
	    const struct sdc_row_layout *l, const char *id, size_t id_len,
	    const uint8_t *line, const size_t *ends, size_t ncells,
	    size_t max_payload);
/* Append a frame of kind around payload (batch, end, or forwarded). */
bool	sdc_wire_frame(struct sdc_buf *out, uint8_t kind, const void *payload,
	    size_t len);
/*
 * Decode the payload of a data, error or event frame into r, which
 * borrows from payload.  -1 with a static reason when malformed.
 */
int	sdc_wire_decode(struct sdc_record *r, enum sdc_kind kind,
	    const uint8_t *payload, size_t len, const char **reason);
/*
 * The same for the header alone: the root stays a null MAP, and
 * *header_len is told the bytes the header takes (never 0).
 */
int	sdc_wire_decode_header(struct sdc_record *r, enum sdc_kind kind,
	    const uint8_t *payload, size_t len, size_t *header_len,
	    const char **reason);

#endif
