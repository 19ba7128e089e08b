/* Templates of names and keys: conversions, fields, escaping, errors. */
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "template.h"
#include "tap.h"

/* 2026-03-04T05:06:07.089Z */
#define T0	1772600767089LL

static const char *
expand(const char *text, const struct sdc_record *r, int64_t ms)
{
	static char out[512];
	char err[160];
	struct sdc_template *t = sdc_template_parse(text, err, sizeof err);

	if (t == NULL) {
		snprintf(out, sizeof out, "error: %s", err);
		return out;
	}
	sdc_template_expand(t, r, ms, out, sizeof out);
	sdc_template_free(t);
	return out;
}

static void
put_string(struct sdc_record *r, const char *key, const char *value,
    size_t n)
{
	struct sdc_field *f = sdc_map_put(&r->arena, &r->root, key,
	    strlen(key));

	sdc_field_copy_bytes(&r->arena, f, SDC_STRING, value, n);
}

static void
test_time(void)
{
	is_str(expand("/data/%Y/%m/%d/%H%M%S-%j-%y", NULL, T0),
	    "/data/2026/03/04/050607-063-26", "every %-conversion, in UTC");
	is_str(expand("100%% sure", NULL, T0), "100% sure", "%% is a percent");
	is_str(expand("$$HOME", NULL, T0), "$HOME", "$$ is a dollar");
	is_str(expand("%Y", NULL, -1), "1969", "a time before the epoch");
}

static void
test_fields(void)
{
	struct sdc_record r;
	struct sdc_field *f;

	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_MAP);
	put_string(&r, "zone", "food-court", 10);
	f = sdc_map_put(&r.arena, &r.root, "n", 1);
	sdc_field_int(f, SDC_LONG, -42);
	sdc_record_set_attr(&r, "topic", "mall/a");
	is_str(expand("z=${/zone}/n=${/n}", &r, T0), "z=food-court/n=-42",
	    "fields by path, strings and numbers");
	is_str(expand("${/missing}", &r, T0), "_", "a missing field is _");
	is_str(expand("${attr:topic}", &r, T0), "mall_a",
	    "an attribute, its / made safe");
	is_str(expand("${attr:none}", &r, T0), "_", "a missing attribute is _");
	sdc_record_release(&r);
}

static void
test_hostile(void)
{
	static const struct { const char *value; size_t n; const char *want;
	    const char *what; } cases[] = {
		{ "..", 2, "root/_/x", "'..' cannot climb out" },
		{ ".", 1, "root/_/x", "'.' is not the directory itself" },
		{ "", 0, "root/_/x", "an empty value is _" },
		{ "../../etc", 9, "root/.._.._etc/x", "separators are neutralised" },
		{ "a\\b", 3, "root/a_b/x", "backslashes too" },
		{ "a\0b", 3, "root/a_b/x", "NUL too" },
		{ "a\nb\x7f", 4, "root/a_b_/x", "control characters too" },
	};
	struct sdc_record r;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sdc_record_init(&r);
		sdc_field_container(&r.root, SDC_MAP);
		put_string(&r, "zone", cases[i].value, cases[i].n);
		is_str(expand("root/${/zone}/x", &r, T0), cases[i].want,
		    cases[i].what);
		sdc_record_release(&r);
	}
}

static void
test_generated(void)
{
	char err[160], a[64], b[64];
	struct sdc_template *t = sdc_template_parse("part-${seq}-${uuid}", err,
	    sizeof err);
	const char *u;

	ok(t != NULL, "seq and uuid parse");
	sdc_template_expand(t, NULL, T0, a, sizeof a);
	sdc_template_expand(t, NULL, T0, b, sizeof b);
	ok(strncmp(a, "part-0-", 7) == 0 && strncmp(b, "part-1-", 7) == 0,
	    "${seq} counts the names made");
	u = a + 7;
	ok(strlen(u) == 36 && u[8] == '-' && u[14] == '4' &&
	    strchr("89ab", u[19]) != NULL, "${uuid} is a version 4 UUID");
	ok(strcmp(a + 7, b + 7) != 0, "each ${uuid} is new");
	is_int((long long)sdc_template_expand(t, NULL, T0, a, 4), 43,
	    "the length needed is returned when the room is short");
	is_int((long long)strlen(a), 3, "and what fits is NUL-terminated");
	sdc_template_free(t);
}

static bool
time_only(const char *text)
{
	char err[160];
	struct sdc_template *t = sdc_template_parse(text, err, sizeof err);
	bool is = sdc_template_time_only(t);

	sdc_template_free(t);
	return is;
}

static void
test_kinds(void)
{
	ok(time_only("/data/%Y/%m/%d") && time_only("fixed"),
	    "the time alone, or nothing: the same within a second");
	ok(!time_only("/d/${/zone}") && !time_only("/d/${attr:topic}") &&
	    !time_only("/d/${uuid}") && !time_only("/d/${seq}"),
	    "fields, attributes, uuid and seq vary");
}

static void
test_errors(void)
{
	is_str(expand("a/%Q", NULL, T0), "error: byte 3: '%Q' is not one of "
	    "%Y, %y, %m, %d, %H, %M, %S, %j, %%", "an unknown conversion");
	is_str(expand("a/$x", NULL, T0), "error: byte 3: '$' starts neither "
	    "${...} nor $$", "a lone dollar");
	is_str(expand("${zone}", NULL, T0), "error: ${zone}: not a field path "
	    "(/a/b), attr:NAME, uuid or seq", "an unknown name");
	is_str(expand("${/a", NULL, T0), "error: byte 1: '$' starts neither "
	    "${...} nor $$", "an unclosed ${");
}

/* Verbatim templates, for argv: values as they are, but NUL. */
static void
test_verbatim(void)
{
	char err[160], out[256];
	struct sdc_template *t = sdc_template_parse("--in=${/zone} ${attr:a}",
	    err, sizeof err);
	struct sdc_record r;

	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_MAP);
	put_string(&r, "zone", "../a b/'$(x)'\n\0z", 16);
	sdc_record_set_attr(&r, "a", "..");
	sdc_template_verbatim(t);
	sdc_template_expand(t, &r, T0, out, sizeof out);
	is_str(out, "--in=../a b/'$(x)'\n_z ..",
	    "verbatim: values as they are, NUL as _");
	sdc_template_free(t);
	sdc_record_release(&r);
}

int
main(void)
{
	test_verbatim();
	test_time();
	test_fields();
	test_hostile();
	test_generated();
	test_kinds();
	test_errors();
	return tap_done();
}
