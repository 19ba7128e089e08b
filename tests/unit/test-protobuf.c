/*
 * Unit tests of the protobuf format's tables, decoder and encoder, with
 * the messages of tests/cli/data/protobuf-all.proto as protoc makes them
 * (tests/fuzz/fuzz-protobuf.desc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "protobuf.h"
#include "tap.h"
#include "varint.h"
#include "wire.h"

static struct sdc_pb_schema schema;

static const struct sdc_pb_message *
msg(const char *name)
{
	return sdc_pb_schema_message(&schema, name);
}

static bool
decode(const char *name, const void *p, size_t n, struct sdc_arena *a,
    struct sdc_field *out, struct sdc_pb_decoder *d)
{
	memset(d, 0, sizeof *d);
	d->arena = a;
	return sdc_pb_decode(d, msg(name), p, n, out);
}

static void
test_lookup(void)
{
	const struct sdc_pb_message *m = msg("sdctest.Sparse");

	ok(m != NULL && msg(".sdctest.Sparse") == m && msg("Sparse") == m,
	    "messages by full name, with a leading dot, or short");
	ok(msg("Nope") == NULL && msg("protobuf.Timestamp") != NULL,
	    "no message; a unique suffix of the full name");
	ok(m && sdc_pb_field_find(m, 1) == &m->fields[0] &&
	    sdc_pb_field_find(m, 5000) == &m->fields[3] &&
	    sdc_pb_field_find(m, 536870911) == &m->fields[4],
	    "fields by number, below and past the direct table");
	ok(m && sdc_pb_field_find(m, 4) == NULL &&
	    sdc_pb_field_find(m, 4999) == NULL &&
	    sdc_pb_field_find(m, 536870910) == NULL,
	    "numbers no field has");
	ok(msg("Everything")->fields[2].packed &&
	    !msg("Everything")->fields[3].packed,
	    "proto3 repeated scalars packed unless [packed = false]");
}

static void
test_varints(void)
{
	static const uint8_t max[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t over[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x02 };
	static const uint8_t cut[] = { 0x30, 0xff, 0xff };
	struct sdc_pb_decoder d;
	struct sdc_arena a;
	struct sdc_field f;

	sdc_arena_init(&a);
	ok(decode("Scalars", max, sizeof max, &a, &f, &d) &&
	    f.v.entries[5].value.type == SDC_DECIMAL &&
	    f.v.entries[5].value.v.s.len == 20,
	    "a ten-byte varint: uint64 2^64-1, as DECIMAL");
	ok(!decode("Scalars", over, sizeof over, &a, &f, &d) &&
	    d.err_at == 1 && strstr(d.err, "over 64 bits"),
	    "a varint past 64 bits, at its offset");
	ok(!decode("Scalars", cut, sizeof cut, &a, &f, &d) &&
	    strstr(d.err, "cut short"), "a varint cut short");
	sdc_arena_release(&a);
}

/* n Trees each in the one before: 0a LEN (0a LEN (...)). */
static size_t
nest(uint8_t *buf, size_t cap, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		uint8_t pre[1 + SDC_VARINT_MAX];
		size_t k;

		pre[0] = 0x0a;
		k = 1 + sdc_varint_put(pre + 1, len);
		if (len + k > cap)
			return 0;
		memmove(buf + k, buf, len);
		memcpy(buf, pre, k);
		len += k;
	}
	return len;
}

static void
test_depth(void)
{
	static uint8_t buf[1 << 16];
	struct sdc_pb_decoder d;
	struct sdc_arena a;
	struct sdc_field f;
	size_t n;

	sdc_arena_init(&a);
	n = nest(buf, sizeof buf, 40);
	ok(decode("Tree", buf, n, &a, &f, &d), "40 nested messages read");
	n = nest(buf, sizeof buf, 5000);
	ok(!decode("Tree", buf, n, &a, &f, &d) && strstr(d.err, "too deep"),
	    "5000 nested messages: too deep, not a crash");
	sdc_arena_release(&a);
}

static void
test_encode(void)
{
	struct sdc_arena a;
	struct sdc_field root, *v, back;
	struct sdc_pb_decoder d;
	struct sdc_buf b;
	char err[256];
	static char big[20000];

	sdc_arena_init(&a);
	sdc_buf_init(&b, 1 << 20);
	memset(big, 'x', sizeof big);
	sdc_field_container(&root, SDC_MAP);
	v = sdc_map_append(&a, &root, "f_sint32", 8);
	sdc_field_int(v, SDC_LONG, INT32_MIN);
	v = sdc_map_append(&a, &root, "f_string", 8);
	sdc_field_borrow(v, SDC_STRING, big, sizeof big);
	ok(sdc_pb_encode(&b, msg("Scalars"), &root, err, sizeof err),
	    "a string of 20000 bytes: its length moves the bytes on");
	ok(decode("Scalars", b.data, b.len, &a, &back, &d) &&
	    back.v.entries[6].value.v.i == INT32_MIN &&
	    back.v.entries[13].value.v.s.len == sizeof big,
	    "and reads back, sint32 -2^31 too");
	sdc_field_int(v, SDC_LONG, 1);
	sdc_buf_reset(&b);
	ok(!sdc_pb_encode(&b, msg("Scalars"), &root, err, sizeof err) &&
	    strcmp(err, "/f_string: LONG where a string wants a STRING") == 0,
	    "a field of the wrong type named");
	sdc_buf_release(&b);
	sdc_buf_init(&b, 16);
	sdc_field_borrow(v, SDC_STRING, big, sizeof big);
	ok(!sdc_pb_encode(&b, msg("Scalars"), &root, err, sizeof err) &&
	    strstr(err, "larger than 16 bytes"), "the cap of the buffer");
	sdc_buf_release(&b);
	sdc_arena_release(&a);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096], err[512];

	snprintf(path, sizeof path, "%s/tests/fuzz/fuzz-protobuf.desc",
	    top ? top : ".");
	if (sdc_pb_schema_load(&schema, path, err, sizeof err) != 0) {
		ok(false, "load %.100s: %.100s", path, err);
		return tap_done();
	}
	test_lookup();
	test_varints();
	test_depth();
	test_encode();
	sdc_pb_schema_release(&schema);
	return tap_done();
}
