/*
 * The avro format's pieces: decimals both ways, schemas that parse and
 * those that do not, defaults, varints and codecs.
 */
#include <stdio.h>
#include <string.h>

#include "avro-format.h"
#include "tap.h"

static char err[256];

static const char *
text_of(const uint8_t *p, size_t n, int scale)
{
	static char out[256];
	struct sdc_arena a;
	struct sdc_str s;

	sdc_arena_init(&a);
	sdc_avro_decimal_text(p, n, scale, &a, &s);
	snprintf(out, sizeof out, "%.*s", (int)s.len, s.ptr);
	sdc_arena_release(&a);
	return out;
}

/* The text's bytes at scale, in hex, or the reason they are none. */
static const char *
bytes_of(const char *s, int precision, int scale, size_t size)
{
	static char out[256];
	uint8_t b[SDC_AVRO_DECIMAL_MAX];
	const char *why;
	size_t n, k = 0;

	why = sdc_avro_decimal_bytes(s, strlen(s), precision, scale, size, b,
	    &n);
	if (why != NULL)
		return why;
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, sizeof out - k, "%02x", b[i]);
	out[k] = '\0';
	return out;
}

static void
test_decimals(void)
{
	is_str(text_of((const uint8_t *)"\x04\xd2", 2, 2), "12.34",
	    "1234 at scale 2");
	is_str(text_of((const uint8_t *)"\xfb\x2e", 2, 2), "-12.34",
	    "negative, two's complement");
	is_str(text_of((const uint8_t *)"\x05", 1, 3), "0.005",
	    "leading zeros of the fraction");
	is_str(text_of((const uint8_t *)"", 0, 0), "0", "no bytes is zero");
	is_str(text_of((const uint8_t *)"\x80", 1, 0), "-128", "-128");
	is_str(bytes_of("12.34", 0, 2, 0), "04d2", "12.34 at scale 2");
	is_str(bytes_of("-12.34", 0, 2, 0), "fb2e", "-12.34");
	is_str(bytes_of("12.3", 0, 2, 0), "04ce", "padded to the scale");
	is_str(bytes_of("1.5e2", 0, 0, 0), "0096", "an exponent");
	is_str(bytes_of("-128", 0, 0, 0), "80", "the shortest bytes");
	is_str(bytes_of("128", 0, 0, 0), "0080", "a sign byte when needed");
	is_str(bytes_of("-1", 0, 0, 4), "ffffffff", "fixed: sign-extended");
	is_str(bytes_of("1.234", 0, 2, 0), "more fractional digits than the "
	    "scale", "digits the scale cannot hold are refused");
	is_str(bytes_of("1.230", 0, 2, 0), "7b",
	    "zeros past the scale are not");
	is_str(bytes_of("70000", 0, 0, 2), "too large for the fixed size",
	    "too large for the fixed");
	is_str(bytes_of("1e400", 0, 0, 0), "too large for a decimal",
	    "too large for any");
	is_str(bytes_of("abc", 0, 0, 0), "not a decimal number",
	    "not a number");
	is_str(bytes_of("999.99", 5, 2, 0), "01869f", "as many digits as the "
	    "precision");
	is_str(bytes_of("1000.00", 5, 2, 0), "more digits than the precision",
	    "more digits than the precision are refused");
	is_str(bytes_of("0.0012", 2, 4, 0), "0c", "leading zeros do not count");
	is_str(bytes_of("0", 1, 0, 0), "00", "zero");
	is_str(bytes_of("1e3", 3, 0, 0), "more digits than the precision",
	    "an exponent's zeros count");
}

static int
parse(const char *text)
{
	struct sdc_avro_schema s;
	int rc = sdc_avro_schema_parse(&s, text, strlen(text), err,
	    sizeof err);

	sdc_avro_schema_release(&s);
	return rc;
}

static void
test_schemas(void)
{
	is_int(parse("\"long\""), 0, "a primitive");
	is_int(parse("{\"type\":\"record\",\"name\":\"a.N\",\"fields\":["
	    "{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}"), 0,
	    "a recursive record, by its short name");
	is_int(parse("{\"type\":\"record\",\"name\":\"N\",\"namespace\":"
	    "\"a\",\"fields\":[{\"name\":\"x\",\"type\":[\"null\","
	    "\"a.N\"]}]}"), 0, "and by its full name");
	is_int(parse("\"Nope\""), -1, "an unknown name");
	is_str(err, "unknown type \"Nope\"", "says which");
	is_int(parse("[\"null\",[\"int\"]]"), -1, "a union in a union");
	is_int(parse("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],"
	    "\"default\":\"B\"}"), -1, "an enum default that is no symbol");
	is_int(parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
	    "{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}"), -1,
	    "a default of the wrong type");
	is_int(parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
	    "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":"
	    "\"int\"}]}"), -1, "a field twice");
	is_int(parse("{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}"), -1,
	    "a negative fixed size");
	is_int(parse("{\"type\":"), -1, "not JSON");
}

static void
test_defaults(void)
{
	static const char text[] = "{\"type\":\"record\",\"name\":\"R\","
	    "\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"default\":-2},"
	    "{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null},"
	    "{\"name\":\"c\",\"type\":\"bytes\",\"default\":\"\\u00ff\"}]}";
	struct sdc_avro_schema s;

	is_int(sdc_avro_schema_parse(&s, text, sizeof text - 1, err,
	    sizeof err), 0, "defaults of several types");
	is_int((int)s.root->fields[0].def_len, 1, "a long's default");
	is_int(s.root->fields[0].def[0], 3, "zig-zag encoded");
	is_int(s.root->fields[1].def[0], 0, "a union's: the first branch");
	is_int(s.root->fields[2].def[1], 0xff, "bytes: code points 0-255");
	sdc_avro_schema_release(&s);
}

static void
test_varints(void)
{
	static struct sdc_avro_node lng = { .kind = SDC_AVRO_LONG };
	static const uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x01 };
	struct sdc_avro_dec d = { over, over + sizeof over, NULL, "", 0 };
	struct sdc_field f;

	is_int(sdc_avro_decode(&d, &lng, &lng, &f), SDC_AVRO_BAD,
	    "a varint of more than 64 bits is bad");
	d = (struct sdc_avro_dec){ over, over + 3, NULL, "", 0 };
	is_int(sdc_avro_decode(&d, &lng, &lng, &f), SDC_AVRO_SHORT,
	    "one cut short wants more bytes");
}

static void
test_codecs(void)
{
	static const char *const names[] = { "null", "deflate", "snappy",
	    "zstandard" };
	uint8_t data[5000];
	struct sdc_buf packed, back;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i % 7 * 31);
	sdc_buf_init(&packed, 1u << 20);
	sdc_buf_init(&back, 1u << 20);
	for (int c = 0; c < 4; c++) {
		bool same = sdc_avro_compress(c, data, sizeof data, &packed) ==
		    NULL && sdc_avro_uncompress(c, packed.data, packed.len,
		    &back) == NULL && back.len == sizeof data &&
		    memcmp(back.data, data, sizeof data) == 0;

		ok(same, "%s: compressed and back", names[c]);
		is_int(sdc_avro_codec_find(names[c], strlen(names[c])), c,
		    "its name");
	}
	sdc_avro_compress(SDC_AVRO_CODEC_SNAPPY, data, sizeof data, &packed);
	packed.data[packed.len - 1] ^= 1;
	is_str(sdc_avro_uncompress(SDC_AVRO_CODEC_SNAPPY, packed.data,
	    packed.len, &back), "snappy block fails its CRC",
	    "snappy's CRC is checked");
	sdc_avro_compress(SDC_AVRO_CODEC_DEFLATE, data, sizeof data, &packed);
	is_str(sdc_avro_uncompress(SDC_AVRO_CODEC_DEFLATE, packed.data,
	    packed.len / 2, &back), "bad deflate data",
	    "deflate data cut short");
	sdc_buf_release(&packed);
	sdc_buf_release(&back);
}

int
main(void)
{
	test_decimals();
	test_schemas();
	test_defaults();
	test_varints();
	test_codecs();
	return tap_done();
}
