/* Arena, buffer, varints, CRC-32C, fields and records. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "field.h"
#include "input.h"
#include "keyset.h"
#include "record.h"
#include "siphash.h"
#include "utf8.h"
#include "varint.h"
#include "wire.h"
#include "tap.h"

static void
test_arena(void)
{
	struct sdc_arena a;
	char *p, *q;

	sdc_arena_init(&a);
	p = sdc_arena_alloc(&a, 3);
	q = sdc_arena_alloc(&a, 5);
	ok(((uintptr_t)p & 7) == 0 && ((uintptr_t)q & 7) == 0,
	    "arena allocations are 8-byte aligned");
	ok(q - p == 8, "small allocations are packed");
	p = sdc_arena_alloc(&a, 1 << 20);
	memset(p, 'x', 1 << 20);
	ok(p[(1 << 20) - 1] == 'x', "an allocation past the chunk size works");
	q = sdc_arena_grow(&a, p, 1 << 20, 1 << 21);
	ok(q[0] == 'x' && q[(1 << 20) - 1] == 'x', "grow keeps the contents");
	sdc_arena_reset(&a);
	p = sdc_arena_alloc(&a, 16);
	sdc_arena_reset(&a);
	ok(sdc_arena_alloc(&a, 16) == p, "reset reuses the kept chunk");
	is_str(sdc_arena_memdup(&a, "abc", 2), "ab", "memdup terminates");
	sdc_arena_release(&a);
}

static void
test_buf(void)
{
	struct sdc_buf b;

	sdc_buf_init(&b, 10);
	ok(sdc_buf_append(&b, "0123456789", 10), "append up to the cap");
	ok(!sdc_buf_append(&b, "x", 1), "append past the cap fails");
	is_int(b.len, 10, "a failed append changes nothing");
	sdc_buf_release(&b);
}

static void
test_copy_small(void)
{
	uint8_t src[48], dst[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i + 1);
	for (size_t n = 0; n <= 40; n++) {
		memset(dst, 0xee, sizeof dst);
		sdc_copy_small(dst + 1, src, n);
		bad += memcmp(dst + 1, src, n) != 0 || dst[0] != 0xee ||
		    dst[n + 1] != 0xee;
	}
	ok(bad == 0, "copy_small copies exactly n bytes for n up to 40");
}

/* The inline ASCII check sees every byte, whatever the length. */
static void
test_utf8_lengths(void)
{
	char s[40];
	int bad = 0;

	for (size_t n = 0; n <= 33; n++) {
		memset(s, 'a', sizeof s);
		bad += !sdc_utf8_valid(s, n);
		for (size_t at = 0; at < n; at++) {
			memset(s, 'a', sizeof s);
			s[at] = (char)0xff;
			bad += sdc_utf8_valid(s, n);
			if (at + 1 < n) {
				s[at] = (char)0xc3;	/* é, valid */
				s[at + 1] = (char)0xa9;
				bad += !sdc_utf8_valid(s, n);
			}
		}
	}
	ok(bad == 0, "UTF-8 checks see a bad byte anywhere, any length");
}

static void
test_varint(void)
{
	static const int64_t values[] = { 0, 1, -1, 63, -64, 64, 300,
		INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN };
	uint8_t buf[SDC_VARINT_MAX], over[11];
	const uint8_t *p;
	uint64_t u;
	bool all = true;

	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		size_t n = sdc_varint_put(buf, sdc_zigzag(values[i]));

		p = buf;
		all &= sdc_varint_get(&p, buf + n, &u) && p == buf + n &&
		    sdc_unzigzag(u) == values[i];
	}
	ok(all, "zig-zag varints round-trip at the edges");
	is_int(sdc_varint_put(buf, 300), 2, "300 takes two bytes");
	ok(buf[0] == 0xac && buf[1] == 0x02, "300 is ac 02");
	memset(over, 0xff, sizeof over);
	p = over;
	ok(!sdc_varint_get(&p, over + sizeof over, &u),
	    "an 11-byte varint is rejected");
	over[9] = 0x02;
	p = over;
	ok(!sdc_varint_get(&p, over + 10, &u), "a varint over 64 bits is "
	    "rejected");
	p = buf;
	ok(!sdc_varint_get(&p, buf + 1, &u), "a cut varint is rejected");
}

/* CRC-32C a bit at a time, straight from the definition. */
static uint32_t
crc_by_bits(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n-- > 0) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
	}
	return ~c;
}

/* Every length to past two full rounds of lanes, and where they split. */
static void
test_crc_lengths(void)
{
	static uint8_t data[1700];
	uint32_t x = 12345;
	bool all = true, split = true;

	for (size_t i = 0; i < sizeof data; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (uint8_t)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof data; n++)
		all &= sdc_crc32c(0, data, n) == crc_by_bits(data, n);
	for (size_t at = 0; at <= 800; at += 7)
		split &= sdc_crc32c(sdc_crc32c(0, data, at), data + at,
		    sizeof data - at) == crc_by_bits(data, sizeof data);
	ok(all, "CRC-32C of every length from 0 to %zu", sizeof data);
	ok(split, "CRC-32C continued from any point");
}

static void
test_crc(void)
{
	char big[1000];
	uint32_t whole, parts;

	is_int(sdc_crc32c(0, "123456789", 9), 0xe3069283u,
	    "CRC-32C check value");
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	whole = sdc_crc32c(0, big, sizeof big);
	parts = sdc_crc32c(sdc_crc32c(0, big, 333), big + 333,
	    sizeof big - 333);
	is_int(parts, whole, "CRC-32C continues across calls");
}

static void
test_siphash(void)
{
	uint64_t k[2] = { UINT64_C(0x0706050403020100),
		UINT64_C(0x0f0e0d0c0b0a0908) };
	uint8_t m[15];

	for (int i = 0; i < 15; i++)
		m[i] = (uint8_t)i;
	is_int(sdc_siphash(k, m, 0), UINT64_C(0x726fdb47dd0e0e31),
	    "SipHash-2-4 of nothing");
	is_int(sdc_siphash(k, m, 15), UINT64_C(0xa129ca6149be45e5),
	    "SipHash-2-4 of the paper's example");
}

/*
 * Keys of up to 8 bytes ("k0"..) and longer ones ("long key 1"..),
 * NUL-ended in buf, so every one has its bytes.
 */
static void
test_keyset(void)
{
	enum { N = 200000 };
	static char buf[N * 16];
	static const char *key[N];
	struct sdc_keyset s;
	bool fresh = true, found = true, again = true;

	for (int i = 0; i < N; i++) {
		key[i] = buf + i * 16;
		snprintf(buf + i * 16, 16, i % 2 ? "long key %d" : "k%d", i);
	}
	sdc_keyset_init(&s);
	for (int i = 0; i < N; i++)
		fresh &= sdc_keyset_add(&s, key[i], strlen(key[i])) == -1;
	for (int i = N - 1; i >= 0; i--)
		found &= sdc_keyset_add(&s, key[i], strlen(key[i])) == i;
	ok(fresh && found && s.n == N, "%d keys added, each found again "
	    "with its number", N);
	for (int round = 0; round < 3; round++) {
		sdc_keyset_clear(&s);
		for (int i = 0; i < 100; i++)
			again &= sdc_keyset_add(&s, key[i + round],
			    strlen(key[i + round])) == -1;
		again &= sdc_keyset_add(&s, key[50 + round],
		    strlen(key[50 + round])) == 50;
	}
	ok(again && s.n == 100, "a cleared set starts afresh, its index "
	    "reused");
	sdc_keyset_release(&s);
	ok(sdc_keyset_add(&s, NULL, 0) == -1 &&
	    sdc_keyset_add(&s, "", 0) == 0 && sdc_keyset_add(&s, "a", 1) == -1,
	    "the empty key, with or without bytes, after a release");
	sdc_keyset_release(&s);
}

static void
test_fields(void)
{
	struct sdc_record r;
	struct sdc_field *f, *g;

	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_LIST_MAP);
	for (int i = 0; i < 100; i++) {
		char key[16];
		int n = snprintf(key, sizeof key, "k%d", i);

		f = sdc_map_put(&r.arena, &r.root, key, (size_t)n);
		sdc_field_int(f, SDC_LONG, i);
	}
	is_int(r.root.count, 100, "map grows to 100 entries");
	f = sdc_map_get(&r.root, "k42", 3);
	ok(f != NULL && f->v.i == 42, "map get finds a key");
	ok(sdc_map_put(&r.arena, &r.root, "k42", 3) == f,
	    "map put finds an existing key");
	ok(sdc_map_remove(&r.root, "k0", 2) && r.root.count == 99,
	    "map remove");
	is_str(r.root.v.entries[0].key.ptr, "k1", "remove keeps the order");
	g = sdc_map_put(&r.arena, &r.root, "list", 4);
	sdc_field_container(g, SDC_LIST);
	sdc_field_bool(sdc_list_append(&r.arena, g), true);
	sdc_field_null(sdc_list_append(&r.arena, g), SDC_DATE);
	ok(g->count == 2 && g->v.items[1].null &&
	    g->v.items[1].type == SDC_DATE, "a null keeps its type");
	{
		struct sdc_field l, *first;

		sdc_field_container(&l, SDC_LIST);
		sdc_container_reserve(&r.arena, &l, 50);
		first = sdc_list_append(&r.arena, &l);
		for (int i = 1; i < 50; i++)
			sdc_list_append(&r.arena, &l);
		ok(l.v.items == first && l.count == 50 && l.cap == 50,
		    "appends within a reservation do not move the items");
	}
	is_str(sdc_type_name(SDC_ZONED_DATETIME), "ZONED_DATETIME",
	    "type names");
	is_int(sdc_type_from_name("LIST_MAP", 8), SDC_LIST_MAP,
	    "type from name");
	is_int(sdc_type_from_name("LIST_MA", 7), 0, "unknown type name");
	{
		struct sdc_record c;

		sdc_record_init(&c);
		sdc_field_clone(&c.arena, &c.root, &r.root);
		ok(sdc_field_equal(&c.root, &r.root), "a clone is equal");
		c.root.v.entries[3].value.v.i = -1;
		ok(!sdc_field_equal(&c.root, &r.root),
		    "a changed clone is not equal");
		sdc_record_release(&c);
	}
	sdc_record_release(&r);
}

static void
test_record(void)
{
	struct sdc_record r;

	sdc_record_init(&r);
	sdc_record_set_attr(&r, "file", "a.csv");
	sdc_record_set_attr(&r, "file", "b.csv");
	is_int(r.h.nattrs, 1, "setting an attribute twice keeps one");
	is_str(sdc_record_attr(&r, "file")->ptr, "b.csv", "the last wins");
	sdc_record_add_stage(&r, "sdc-convert");
	sdc_record_make_error(&r, "sdc-convert", "CSV_PARSE", "bad");
	ok(r.kind == SDC_KIND_ERROR && r.h.error.timestamp_ms > 0,
	    "make_error stamps the time");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(r.h.nstages == 0 && r.root.null, "clear empties the record");
	sdc_record_release(&r);
}

static void
test_field_attributes(void)
{
	struct sdc_record r, back;
	struct sdc_field *price, copy;
	struct sdc_buf b;
	const char *reason = NULL;

	sdc_record_init(&r);
	sdc_record_init(&back);
	sdc_buf_init(&b, 1 << 20);
	sdc_field_container(&r.root, SDC_MAP);
	price = sdc_map_put(&r.arena, &r.root, "price", 5);
	sdc_field_copy_bytes(&r.arena, price, SDC_DECIMAL, "1.50", 4);
	ok(sdc_field_attr(price, "scale", 5) == NULL, "a new field has none");
	sdc_field_set_attr(&r.arena, price, "precision", 9, "3", 1);
	sdc_field_set_attr(&r.arena, price, "scale", 5, "1", 1);
	sdc_field_set_attr(&r.arena, price, "scale", 5, "2", 1);
	ok(price->attrs->count == 2 &&
	    sdc_field_attr(price, "scale", 5)->ptr[0] == '2',
	    "setting an attribute again replaces its value in place");
	sdc_field_clone(&back.arena, &copy, price);
	ok(sdc_field_equal(&copy, price), "a clone has the same attributes");
	sdc_field_set_attr(&back.arena, &copy, "scale", 5, "4", 1);
	ok(!sdc_field_equal(&copy, price), "attributes count in equality");
	ok(sdc_wire_encode(&b, &r, SDC_DEFAULT_MAX_RECORD, &reason),
	    "a record with field attributes encodes");
	ok(sdc_wire_decode(&back, SDC_KIND_DATA, b.data + 9, b.len - 9,
	    &reason) == 0 && sdc_field_equal(&back.root, &r.root),
	    "and decodes to the same fields and attributes");
	sdc_buf_release(&b);
	sdc_record_release(&back);
	sdc_record_release(&r);
}

/* A peek at an input is read again first, and not counted twice. */
static void
test_input_peek(void)
{
	struct sdc_input in;
	char got[16];
	int fds[2];

	if (pipe(fds) != 0 || write(fds[1], "abcdef", 6) != 6) {
		ok(0, "a pipe for the input");
		return;
	}
	close(fds[1]);
	sdc_input_memory(&in, "pipe", NULL, 0);
	in.fd = fds[0];
	ok(sdc_input_peek(&in, 3) == 3 && memcmp(in.ahead, "abc", 3) == 0,
	    "a peek reads ahead");
	ok(sdc_input_peek(&in, 3) == 0, "no more than asked");
	ok(sdc_input_read(&in, got, 2) == 2 && memcmp(got, "ab", 2) == 0 &&
	    in.offset == 2, "the peeked bytes are read first");
	ok(sdc_input_read(&in, got, sizeof got) == 1 && got[0] == 'c',
	    "up to the end of the peek");
	ok(sdc_input_read(&in, got, sizeof got) == 3 &&
	    memcmp(got, "def", 3) == 0 && in.offset == 6,
	    "then from the descriptor, each byte counted once");
	ok(sdc_input_read(&in, got, sizeof got) == 0, "and its end");
	close(fds[0]);
}

int
main(void)
{
	test_arena();
	test_buf();
	test_copy_small();
	test_utf8_lengths();
	test_varint();
	test_crc();
	test_crc_lengths();
	test_siphash();
	test_keyset();
	test_fields();
	test_record();
	test_field_attributes();
	test_input_peek();
	return tap_done();
}
