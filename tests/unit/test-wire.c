/* The record encoding and the frame reader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame-reader.h"
#include "varint.h"
#include "wire.h"
#include "tap.h"

static void
put(struct sdc_record *r, const char *key, struct sdc_field v)
{
	*sdc_map_put(&r->arena, &r->root, key, strlen(key)) = v;
}

static struct sdc_field
make(enum sdc_type t, int64_t i)
{
	struct sdc_field f;

	sdc_field_int(&f, t, i);
	return f;
}

static void
fill_every_type(struct sdc_record r[static 1])
{
	struct sdc_field f, *list;

	sdc_field_container(&r->root, SDC_LIST_MAP);
	sdc_field_bool(&f, true);
	put(r, "bool", f);
	put(r, "char", make(SDC_CHAR, 0x1f600));
	put(r, "byte", make(SDC_BYTE, -128));
	put(r, "short", make(SDC_SHORT, -32768));
	put(r, "int", make(SDC_INTEGER, INT32_MAX));
	put(r, "long", make(SDC_LONG, INT64_MIN));
	sdc_field_float(&f, -0.5f);
	put(r, "float", f);
	sdc_field_double(&f, NAN);
	put(r, "double", f);
	sdc_field_borrow(&f, SDC_DECIMAL, "-12.3400e+5", 11);
	put(r, "decimal", f);
	put(r, "date", make(SDC_DATE, -1));
	put(r, "datetime", make(SDC_DATETIME, 1764000000123456));
	put(r, "time", make(SDC_TIME, 86399999999));
	f.type = SDC_ZONED_DATETIME;
	f.null = false;
	f.v.z.us = -5;
	f.v.z.offset_s = -9000;
	f.v.z.zone.ptr = "America/St_Johns";
	f.v.z.zone.len = 16;
	put(r, "zoned", f);
	sdc_field_borrow(&f, SDC_STRING, "h\xc3\xa9", 3);
	put(r, "string", f);
	sdc_field_borrow(&f, SDC_BYTE_ARRAY, "\0\1\2", 3);
	put(r, "bytes", f);
	sdc_field_null(&f, SDC_DECIMAL);
	put(r, "null", f);
	list = sdc_map_put(&r->arena, &r->root, "list", 4);
	sdc_field_container(list, SDC_LIST);
	for (int i = 0; i < 3; i++) {
		struct sdc_field *m = sdc_list_append(&r->arena, list);

		sdc_field_container(m, SDC_MAP);
		*sdc_map_put(&r->arena, m, "string", 6) = make(SDC_LONG, i);
	}
}

static int
count_of(const struct sdc_buf *b, const char *s)
{
	size_t n = strlen(s);
	int count = 0;

	for (size_t i = 0; i + n <= b->len; i++)
		count += memcmp(b->data + i, s, n) == 0;
	return count;
}

static void
test_round_trip(void)
{
	struct sdc_record r, back;
	struct sdc_buf b;
	const char *reason = NULL;
	uint32_t len;

	sdc_record_init(&r);
	sdc_record_init(&back);
	fill_every_type(&r);
	sdc_record_set_id(&r, "x.csv:2", 7);
	sdc_record_add_stage(&r, "sdc-convert");
	sdc_record_set_attr(&r, "file", "x.csv");
	sdc_record_make_error(&r, "sdc-convert", "CODE", "message");
	sdc_buf_init(&b, 1 << 20);
	ok(sdc_wire_encode(&b, &r, 1 << 20, &reason), "encode every type");
	memcpy(&len, b.data + 1, 4);
	is_int(len, b.len - SDC_FRAME_HEADER_LEN, "the length field");
	ok(sdc_wire_decode(&back, SDC_KIND_ERROR, b.data + 9, len,
	    &reason) == 0, "decode it back");
	ok(sdc_field_equal(&r.root, &back.root), "fields survive");
	ok(back.h.error.timestamp_ms == r.h.error.timestamp_ms &&
	    back.h.nattrs == 1 && back.h.nstages == 1 &&
	    back.h.error.message.len == 7, "the header survives");
	is_int(count_of(&b, "string"), 1,
	    "a key used four times is written once");
	sdc_buf_reset(&b);
	ok(!sdc_wire_encode(&b, &r, 20, &reason) && b.len == 0,
	    "a record over the limit is refused and nothing written");
	is_str(reason, "record too large", "with its reason");
	sdc_buf_release(&b);
	sdc_record_release(&r);
	sdc_record_release(&back);
}

static const char *
decode_reason(const uint8_t *p, size_t n)
{
	struct sdc_record r;
	const char *reason = "(decoded)";

	sdc_record_init(&r);
	sdc_wire_decode(&r, SDC_KIND_DATA, p, n, &reason);
	sdc_record_release(&r);
	return reason;
}

/* A payload whose root is levels lists, each inside the last. */
static size_t
nested(uint8_t *p, int levels)
{
	size_t n = 3;

	memset(p, 0, 3);
	for (int i = 0; i < levels; i++) {
		p[n++] = SDC_LIST;
		p[n++] = i + 1 < levels ? 1 : 0;
	}
	return n;
}

static void
test_malformed(void)
{
	/* id "", 0 stages, 0 attributes, then the root field */
	static const uint8_t trailing[] = { 0, 0, 0, 0x8e, 0 };
	static const uint8_t badtype[] = { 0, 0, 0, 0x13 };
	static const uint8_t reserved[] = { 0, 0, 0, 0x2e };
	static const uint8_t badbool[] = { 0, 0, 0, 1, 2 };
	static const uint8_t badref[] = { 0, 0, 0, 17, 1, 3, 0x8e };
	static const uint8_t cut[] = { 0, 0, 0, 14, 5, 'a' };
	static const uint8_t short_[] = { 0, 0, 0, 4, 0x80, 0x80, 0x04 };
	static const uint8_t decimal[] = { 0, 0, 0, 9, 2, '1', '.' };
	uint8_t deep[300];

	is_str(decode_reason(trailing, sizeof trailing), "trailing bytes",
	    "trailing bytes");
	is_str(decode_reason(badtype, sizeof badtype), "unknown field type",
	    "type code 19");
	is_str(decode_reason(reserved, sizeof reserved),
	    "reserved bits set in a field type", "reserved type bits");
	is_str(decode_reason(badbool, sizeof badbool), "bad boolean",
	    "boolean 2");
	is_str(decode_reason(badref, sizeof badref), "bad key reference",
	    "reference to a key not yet seen");
	is_str(decode_reason(cut, sizeof cut), "truncated", "cut string");
	is_str(decode_reason(short_, sizeof short_),
	    "value out of range for its type", "SHORT out of range");
	is_str(decode_reason(decimal, sizeof decimal), "bad decimal",
	    "DECIMAL '1.'");
	is_str(decode_reason(deep, nested(deep, 129)),
	    "nesting deeper than 128", "129 nested lists");
	is_str(decode_reason(deep, nested(deep, 128)), "(decoded)",
	    "128 nested lists are fine");
}

/* A stream of count data frames holding LONG i, as a writer makes it. */
static void
make_stream(struct sdc_buf *b, int count)
{
	struct sdc_record r;
	const char *reason;
	uint8_t end[SDC_VARINT_MAX];

	sdc_record_init(&r);
	sdc_wire_stream_header(b);
	for (int i = 0; i < count; i++) {
		sdc_record_clear(&r, SDC_KIND_DATA);
		sdc_field_int(&r.root, SDC_LONG, i);
		sdc_wire_encode(b, &r, 1 << 20, &reason);
	}
	sdc_wire_frame(b, SDC_KIND_END, end,
	    sdc_varint_put(end, (uint64_t)count));
	sdc_record_release(&r);
}

/* Read the bytes as a file: the frame count, or -1 and the message. */
static int
read_all(const uint8_t *p, size_t n, char *msg, size_t msglen)
{
	char path[] = "/tmp/test-wire-XXXXXX";
	int fd = mkstemp(path), frames = 0;
	struct sdc_frame_reader r;
	struct sdc_frame f;
	enum sdc_read_status st;

	if (write(fd, p, n) != (ssize_t)n)
		return -2;
	close(fd);
	sdc_frame_reader_open(&r, path, 1 << 16);
	r.name = "t.sdc";
	while ((st = sdc_frame_reader_next(&r, &f)) == SDC_READ_FRAME)
		frames++;
	snprintf(msg, msglen, "%s", st == SDC_READ_EOF ? "" : r.err);
	sdc_frame_reader_close(&r);
	unlink(path);
	return st == SDC_READ_EOF ? frames : -1;
}

static void
test_reader(void)
{
	struct sdc_buf b, two;
	char msg[256];
	uint32_t big = 0xfffffff0u;

	sdc_buf_init(&b, 1 << 20);
	sdc_buf_init(&two, 1 << 20);
	make_stream(&b, 3);
	is_int(read_all(b.data, b.len, msg, sizeof msg), 3, "three frames");
	sdc_buf_append(&two, b.data, b.len);
	sdc_buf_append(&two, b.data, b.len);
	is_int(read_all(two.data, two.len, msg, sizeof msg), 6,
	    "two concatenated streams read as one");
	is_int(read_all(b.data, 0, msg, sizeof msg), 0, "empty input");
	read_all(b.data, b.len - 1, msg, sizeof msg);
	is_str(msg, "t.sdc: byte 52: truncated frame", "cut in the end frame");
	read_all(b.data, b.len - 10, msg, sizeof msg);
	is_str(msg, "t.sdc: byte 52: truncated stream: no end frame",
	    "no end frame");
	read_all(b.data, 7, msg, sizeof msg);
	is_str(msg, "t.sdc: byte 0: truncated stream header", "cut header");
	b.data[25]++;
	read_all(b.data, b.len, msg, sizeof msg);
	is_str(msg, "t.sdc: byte 24: checksum mismatch", "a flipped byte");
	b.data[25]--;
	memcpy(b.data + 11, &big, 4);
	read_all(b.data, b.len, msg, sizeof msg);
	is_str(msg, "t.sdc: byte 10: frame of 4294967280 bytes exceeds the "
	    "record size limit (65536)", "a bogus length");
	read_all((const uint8_t *)"a,b\n1,2\n", 8, msg, sizeof msg);
	is_str(msg, "t.sdc is not an sdc record stream (try: sdc-convert "
	    "--from csv)", "csv is not a stream");
	sdc_buf_release(&b);
	sdc_buf_release(&two);
}

int
main(void)
{
	test_round_trip();
	test_malformed();
	test_reader();
	return tap_done();
}
