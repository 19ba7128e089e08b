/* Field paths in SDC syntax. */
#include <string.h>

#include "path.h"
#include "record.h"
#include "tap.h"

static struct sdc_path
parse(const char *text)
{
	struct sdc_path p;
	char err[64];

	if (sdc_path_parse(&p, text, err, sizeof err) != 0)
		printf("# unexpected parse error for %s: %s\n", text, err);
	return p;
}

static void
test_syntax(void)
{
	struct sdc_path p;
	char err[64];

	p = parse("/a/b[2]/'odd name'");
	ok(p.n == 4 && p.steps[2].is_index && p.steps[2].index == 2,
	    "names, an index and a quoted name");
	ok(p.steps[3].name.len == 8 &&
	    memcmp(p.steps[3].name.ptr, "odd name", 8) == 0,
	    "the quoted name is unquoted");
	sdc_path_release(&p);
	p = parse("/\"it\"\"s\"/'a\\'b'");
	ok(p.n == 2 && p.steps[0].name.len == 4 &&
	    memcmp(p.steps[0].name.ptr, "it\"s", 4) == 0 &&
	    memcmp(p.steps[1].name.ptr, "a'b", 3) == 0,
	    "doubled and backslash-escaped quotes");
	sdc_path_release(&p);
	p = parse("/");
	is_int(p.n, 0, "/ is the root");
	sdc_path_release(&p);
	p = parse("[3]/x");
	ok(p.n == 2 && p.steps[0].is_index && p.steps[0].index == 3,
	    "a path may start with an index");
	sdc_path_release(&p);
	ok(sdc_path_parse(&p, "/a/'open", err, sizeof err) == -1,
	    "an unterminated quote is an error");
	is_str(err, "unterminated quote at 9", "the error says where");
	ok(sdc_path_parse(&p, "/a[x]", err, sizeof err) == -1,
	    "a bad index is an error");
	ok(sdc_path_parse(&p, "/a//b", err, sizeof err) == -1,
	    "an empty name is an error");
	ok(sdc_path_parse(&p, "a", err, sizeof err) == -1,
	    "a path starts with / or [");
}

static void
test_get_set_delete(void)
{
	struct sdc_record r;
	struct sdc_path p = parse("/a/b[0]/c"), q = parse("/a/b"),
	    top = parse("/"), idx = parse("/a/b[5]");
	struct sdc_field *f;

	sdc_record_init(&r);
	ok(sdc_path_get(&r.root, &p) == NULL, "get on an empty record");
	f = sdc_path_set(&r.arena, &r.root, &q);
	ok(f != NULL, "set creates the missing maps");
	sdc_field_container(f, SDC_LIST);
	f = sdc_path_set(&r.arena, &r.root, &p);
	ok(f != NULL, "set appends at one past the end of a list");
	sdc_field_int(f, SDC_LONG, 7);
	f = sdc_path_get(&r.root, &p);
	ok(f != NULL && f->type == SDC_LONG && f->v.i == 7,
	    "get finds what set made");
	ok(r.root.type == SDC_MAP && !r.root.null,
	    "a null MAP root keeps its type");
	ok(sdc_path_set(&r.arena, &r.root, &idx) == NULL,
	    "set refuses an index far past the end");
	ok(sdc_path_delete(&r.root, &p), "delete a key");
	ok(sdc_path_get(&r.root, &p) == NULL, "gone after delete");
	ok(!sdc_path_delete(&r.root, &p), "deleting twice finds nothing");
	ok(sdc_path_delete(&r.root, &top) && r.root.null,
	    "deleting / nulls the root");
	sdc_path_release(&p);
	sdc_path_release(&q);
	sdc_path_release(&top);
	sdc_path_release(&idx);
	sdc_record_release(&r);
}

int
main(void)
{
	test_syntax();
	test_get_set_delete();
	return tap_done();
}
