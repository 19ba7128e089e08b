/* The record encoding and the frame reader. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame-reader.h"
#include "json-write.h"
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

/*
 * The fields alone rendered after the header was decoded apart (as
 * sdc-sink does), against the whole payload rendered: the same verdict,
 * reason and text, whenever the header decodes.
 */
static bool
fields_agree(const uint8_t *p, size_t n, int rc_walk, const char *why_walk,
    const struct sdc_buf *walked)
{
	struct sdc_record h;
	struct sdc_buf fields;
	const char *why = NULL;
	size_t header_len;
	int rc;
	bool same = true;

	sdc_record_init(&h);
	sdc_buf_init(&fields, 1 << 24);
	if (sdc_wire_decode_header(&h, SDC_KIND_DATA, p, n, &header_len,
	    &why) == 0) {
		rc = sdc_json_render_fields(&fields, &h.arena, p, n,
		    header_len, &why);
		same = rc == rc_walk && (rc != 0 ? strcmp(why, why_walk) == 0 :
		    fields.len == walked->len &&
		    memcmp(fields.data, walked->data, walked->len) == 0);
		if (!same)
			printf("# fields %d %s \"%.*s\", walk %d %s\n", rc, why,
			    (int)fields.len, fields.data, rc_walk, why_walk);
	}
	sdc_buf_release(&fields);
	sdc_record_release(&h);
	return same;
}

/*
 * The JSON renderer of payloads (wire-json.c) against decoding and
 * rendering the tree: the same verdict, the same reason, the same text.
 */
static bool
renderers_agree(const uint8_t *payload, size_t n)
{
	static const struct sdc_json_style plain;
	uint8_t *p = calloc(1, n + SDC_PAYLOAD_PAD);
	struct sdc_record r, scratch;
	struct sdc_buf walked, tree;
	const char *why_walk = NULL, *why_tree = NULL;
	int rc_walk, rc_tree;
	bool same;

	memcpy(p, payload, n);
	sdc_record_init(&r);
	sdc_record_init(&scratch);
	sdc_buf_init(&walked, 1 << 24);
	sdc_buf_init(&tree, 1 << 24);
	rc_walk = sdc_json_render_payload(&walked, &scratch, p, n, &why_walk);
	rc_tree = sdc_wire_decode(&r, SDC_KIND_DATA, p, n, &why_tree);
	if (rc_tree == 0 && sdc_buf_reserve(&tree,
	    sdc_json_record_bound(&r, &plain, 0)))
		why_tree = sdc_json_render_record(&tree, &r, &plain, 0);
	same = rc_walk == rc_tree && (rc_tree != 0 ?
	    strcmp(why_walk, why_tree) == 0 : why_tree == NULL &&
	    walked.len == tree.len &&
	    memcmp(walked.data, tree.data, tree.len) == 0);
	if (!same)
		printf("# walk %d %s \"%.*s\", tree %d %s \"%.*s\"\n", rc_walk,
		    why_walk, (int)walked.len, walked.data, rc_tree, why_tree,
		    (int)tree.len, tree.data);
	same &= fields_agree(p, n, rc_walk, why_walk, &walked);
	sdc_buf_release(&walked);
	sdc_buf_release(&tree);
	sdc_record_release(&r);
	sdc_record_release(&scratch);
	free(p);
	return same;
}

/* The payload, every truncation of it, and every byte of it changed. */
static bool
mutations_agree(const uint8_t *payload, size_t n)
{
	static const uint8_t changes[] = { 0x01, 0x02, 0x40, 0x80, 0xff };
	uint8_t *p = malloc(n + 1);
	bool all = renderers_agree(payload, n);

	memcpy(p, payload, n);
	for (size_t len = 0; len < n; len++)
		all &= renderers_agree(p, len);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < sizeof changes; c++) {
			p[i] ^= changes[c];
			all &= renderers_agree(p, n);
			p[i] ^= changes[c];
		}
	free(p);
	return all;
}

/*
 * INTEGER and LONG fields of values around the powers of ten and at
 * their types' bounds, cut and changed; and an INTEGER past its bound,
 * which neither renderer takes.
 */
static bool
integers_agree(struct sdc_record *r)
{
	static const int64_t edges[] = { 0, 9, 10, 99, 100, 999, 1000, 9999,
		-1, -9, -10, -99, -100, -999, -1000, INT32_MAX, INT32_MIN,
		INT64_MAX, INT64_MIN };
	uint8_t past[] = { 0, 0, 0, SDC_MAP, 1, 2, 'i', SDC_INTEGER,
		0x80, 0x80, 0x80, 0x80, 0x10 };	/* 2^31 */
	const char *reason;
	struct sdc_buf b;
	char key[8];
	bool all;

	sdc_buf_init(&b, 1 << 20);
	sdc_record_clear(r, SDC_KIND_DATA);
	sdc_field_container(&r->root, SDC_MAP);
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		snprintf(key, sizeof key, "l%zu", i);
		sdc_field_int(sdc_map_put(&r->arena, &r->root, key,
		    strlen(key)), SDC_LONG, edges[i]);
		if (edges[i] < INT32_MIN || edges[i] > INT32_MAX)
			continue;
		key[0] = 'i';
		sdc_field_int(sdc_map_put(&r->arena, &r->root, key,
		    strlen(key)), SDC_INTEGER, edges[i]);
	}
	sdc_wire_encode(&b, r, 1 << 20, &reason);
	all = mutations_agree(b.data + SDC_FRAME_HEADER_LEN,
	    b.len - SDC_FRAME_HEADER_LEN) && renderers_agree(past, sizeof past);
	sdc_buf_release(&b);
	return all;
}

/* Every data frame of the stream files of tests/vectors. */
static void
test_json_vectors(void)
{
	char dir[4096], path[4352];
	const char *top = getenv("top_srcdir");
	struct dirent *e;
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	int frames = 0;
	bool all = true;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/tests/vectors", top ? top : ".");
	if ((d = opendir(dir)) == NULL) {
		ok(false, "open the vectors directory");
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".sdc") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (sdc_frame_reader_open(&fr, path, 1 << 20) != 0)
			continue;
		while (sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME)
			if (f.kind == SDC_KIND_DATA) {
				all &= mutations_agree(f.payload,
				    f.payload_len);
				frames++;
			}
		sdc_frame_reader_close(&fr);
	}
	closedir(d);
	ok(all && frames >= 20, "JSON from payloads and from trees agree on "
	    "%d vector frames, cut and changed", frames);
}

/*
 * A map of n keys "k0".. with null values, then key "k<dup>" again
 * when dup >= 0: many keys, and a repeat only an index finds quickly.
 */
static size_t
wide_map(uint8_t *p, uint32_t n, int dup)
{
	uint32_t count = n + (dup >= 0);
	size_t len = 4;
	char key[16];

	memcpy(p, "\0\0\0\x12", 4);
	len += sdc_varint_put(p + len, count);
	for (uint32_t i = 0; i < count; i++) {
		int k = snprintf(key, sizeof key, "k%u", i < n ? i :
		    (unsigned)dup);

		p[len++] = (uint8_t)(k << 1);
		memcpy(p + len, key, (size_t)k);
		len += (size_t)k;
		p[len++] = 0x8e;
	}
	return len;
}

static void
test_wide_maps(void)
{
	static uint8_t p[20000 * 10];

	is_str(decode_reason(p, wide_map(p, 20000, -1)), "(decoded)",
	    "a map of 20000 keys");
	is_str(decode_reason(p, wide_map(p, 20000, 19999)), "duplicate key",
	    "its last key given twice");
	ok(renderers_agree(p, wide_map(p, 20000, 7)) &&
	    renderers_agree(p, wide_map(p, 20000, -1)),
	    "renderers agree on maps of 20000 keys");
}

static void
test_json_payloads(void)
{
	static const uint8_t dup[] = { 0, 0, 0, 18, 2, 2, 'a', 0x8e, 2, 'a',
		0x8e };
	static const uint8_t escapes[] = { 0, 0, 0, 18, 1, 6, '"', '\\', 14,
		5, '\n', 0x7f, '\\', 0xc3, 0xa9 };
	uint8_t deep[300];
	struct sdc_record r;
	struct sdc_buf b;
	const char *reason;

	sdc_record_init(&r);
	sdc_buf_init(&b, 1 << 20);
	fill_every_type(&r);
	sdc_field_int(sdc_map_put(&r.arena, &r.root, "big", 3), SDC_LONG,
	    INT64_MAX);
	sdc_wire_encode(&b, &r, 1 << 20, &reason);
	ok(mutations_agree(b.data + SDC_FRAME_HEADER_LEN,
	    b.len - SDC_FRAME_HEADER_LEN), "every type, cut and changed");
	ok(renderers_agree(dup, sizeof dup), "a duplicate key");
	ok(integers_agree(&r), "integers at the edges of their types and of "
	    "their digits");
	ok(mutations_agree(escapes, sizeof escapes), "escapes and UTF-8");
	ok(renderers_agree(deep, nested(deep, 129)) &&
	    renderers_agree(deep, nested(deep, 128)), "nesting limits");
	sdc_buf_release(&b);
	sdc_record_release(&r);
}

/* The record sdc_wire_encode_row makes a frame of, built as a tree. */
static void
row_record(struct sdc_record *r, const struct sdc_str *keys,
    const char *line, const size_t *ends, size_t ncells)
{
	size_t start = 0;

	sdc_record_clear(r, SDC_KIND_DATA);
	sdc_record_set_id(r, "rows.csv:7", 10);
	sdc_record_add_stage(r, "sdc-convert");
	sdc_field_container(&r->root, keys ? SDC_LIST_MAP : SDC_LIST);
	for (size_t i = 0; i < ncells; i++) {
		struct sdc_field *f = keys ? sdc_map_append(&r->arena,
		    &r->root, keys[i].ptr, keys[i].len) :
		    sdc_list_append(&r->arena, &r->root);

		sdc_field_borrow(f, SDC_STRING, line + start, ends[i] - start);
		start = ends[i] + 1;
	}
}

/* Rows of cells from 0 to 300 bytes under keys from 0 to 200 bytes. */
static void
test_rows(void)
{
	static char line[4096], keytext[2048];
	struct sdc_str keys[8];
	size_t ends[8], at = 0, nk = 0;
	struct sdc_row_layout map, list;
	struct sdc_record r;
	struct sdc_buf rows, tree;
	const char *reason;
	uint32_t x = 7;
	bool same = true;

	for (size_t i = 0; i < 8; i++, nk += i * 25) {
		keys[i].ptr = keytext + nk;
		keys[i].len = i * 25;
		memset(keytext + nk, 'a' + (int)i, i * 25);
	}
	sdc_row_layout_init(&map, "sdc-convert", keys, 8);
	sdc_row_layout_init(&list, "sdc-convert", NULL, 0);
	sdc_record_init(&r);
	sdc_buf_init(&rows, 1 << 20);
	sdc_buf_init(&tree, 1 << 20);
	for (int round = 0; round < 200; round++) {
		at = 0;
		for (size_t i = 0; i < 8; i++) {
			x = x * 1103515245u + 12345u;
			for (size_t n = (x >> 16) % 300; n > 0; n--)
				line[at++] = (char)('A' + (x >> 8) % 26);
			ends[i] = at;
			line[at++] = ',';
		}
		for (int m = 0; m < 2; m++) {
			sdc_buf_reset(&rows);
			sdc_buf_reset(&tree);
			sdc_wire_encode_row(&rows, m ? &list : &map, "rows.csv:7",
			    10, (const uint8_t *)line, ends, 8, 1 << 20);
			row_record(&r, m ? NULL : keys, line, ends, 8);
			sdc_wire_encode(&tree, &r, 1 << 20, &reason);
			same &= rows.len == tree.len &&
			    memcmp(rows.data, tree.data, tree.len) == 0;
		}
	}
	ok(same, "rows encode as their records do, maps and lists");
	sdc_buf_reset(&rows);
	ok(!sdc_wire_encode_row(&rows, &map, "x", 1, (const uint8_t *)line,
	    ends, 8, 100) && rows.len == 0,
	    "a row over the limit is refused and nothing written");
	ok(!sdc_wire_encode_row(&rows, &map, "x", 1, (const uint8_t *)line,
	    ends, 7, 1 << 20) && rows.len == 0,
	    "a row of fewer cells than keys is refused");
	sdc_buf_release(&rows);
	sdc_buf_release(&tree);
	sdc_record_release(&r);
	sdc_row_layout_release(&map);
	sdc_row_layout_release(&list);
}

int
main(void)
{
	test_round_trip();
	test_rows();
	test_malformed();
	test_reader();
	test_json_payloads();
	test_wide_maps();
	test_json_vectors();
	return tap_done();
}
