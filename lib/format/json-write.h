#ifndef SDC_JSON_WRITE_H
#define SDC_JSON_WRITE_H
/*
 * Rendering of fields and records as JSON text: the plain rendering
 * and the lossless typed one of sdc-record(5).  Rendering is two
 * steps so that a record costs one reservation: _bound gives the most
 * bytes a rendering can take, the caller reserves that much in its
 * buffer, and _render appends without checking room.  The renderers
 * return NULL, or the reason why the value has no faithful rendering
 * (a string that is not UTF-8, unless lossy; a DECIMAL that is not a
 * number), leaving partial output for the caller to roll back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "field.h"
#include "record.h"

struct sdc_json_style {
	bool	typed;	/* every field as {"TYPE":value} */
	bool	pretty;	/* two-space indentation */
	bool	lossy;	/* invalid UTF-8 becomes U+FFFD, for error reports */
};

/*
 * Fields rendered at indentation depth (0 for a top-level value), into
 * room the caller reserved from the bound: NULL, or why the field
 * cannot be rendered (invalid UTF-8 when not lossy).
 */
size_t	sdc_json_field_bound(const struct sdc_field *f,
	    const struct sdc_json_style *s, int depth);
const char *sdc_json_render_field(struct sdc_buf *b, const struct sdc_field *f,
	    const struct sdc_json_style *s, int depth);

/*
 * A record of kind data, error or event: typed, the frame object;
 * plain, the root value of a data record, or the {"@error":...} and
 * {"@event":...} wrappers.  No newline is appended.
 */
size_t	sdc_json_record_bound(const struct sdc_record *r,
	    const struct sdc_json_style *s, int depth);
const char *sdc_json_render_record(struct sdc_buf *b,
	    const struct sdc_record *r, const struct sdc_json_style *s,
	    int depth);

/*
 * The payload of a data frame rendered as compact plain JSON straight
 * from its bytes, as sdc_json_render_record would render the record
 * that sdc_wire_decode makes of it, after the same checks; r gets the
 * header.  The payload must be followed by SDC_PAYLOAD_PAD readable
 * bytes (frame-reader.h).  0 when rendered; -1 and the reason when the payload is
 * malformed; 1 when b would pass its cap (render the record instead).
 * On failure the partial output is the caller's to roll back.
 */
int	sdc_json_render_payload(struct sdc_buf *b, struct sdc_record *r,
	    const uint8_t *payload, size_t len, const char **reason);
/*
 * The same for a payload whose header, its first header_len bytes, was
 * decoded and checked by sdc_wire_decode_header: the fields alone are
 * read, the arena lent for their decoding.
 */
struct sdc_arena;
int	sdc_json_render_fields(struct sdc_buf *b, struct sdc_arena *arena,
	    const uint8_t *payload, size_t len, size_t header_len,
	    const char **reason);
/* Typed frames without a record: a batch, or a kind this version lacks. */
size_t	sdc_json_frame_bound(size_t payload_len,
	    const struct sdc_json_style *s, int depth);
void	sdc_json_render_frame(struct sdc_buf *b, uint8_t kind,
	    const void *payload, size_t payload_len,
	    const struct sdc_json_style *s, int depth);

/* Text of doubles and floats that reads back to the same value. */
#define SDC_JSON_NUMBER_MAX	32
size_t	sdc_json_format_double(char *dst, double d);
size_t	sdc_json_format_float(char *dst, float f);
size_t	sdc_json_format_int(char *dst, int64_t v);

#endif
