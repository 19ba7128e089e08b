/* Conditions on records (lib/condition.h): each operator, attributes. */
#include <string.h>

#include "condition.h"
#include "path.h"
#include "record.h"
#include "tap.h"

static struct sdc_record rec;

/* rec: {"zone": "shoes", "visits": 3, "dwell": 42.5, "gone": null} */
static void
make_record(void)
{
	struct sdc_path p;
	char err[64];
	static const struct { const char *path; int kind; } fields[] = {
		{ "/zone", 0 }, { "/visits", 1 }, { "/dwell", 2 },
		{ "/gone", 3 }
	};

	sdc_record_init(&rec);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		struct sdc_field *f;

		sdc_path_parse(&p, fields[i].path, err, sizeof err);
		f = sdc_path_set(&rec.arena, &rec.root, &p);
		if (fields[i].kind == 0)
			sdc_field_borrow(f, SDC_STRING, "shoes", 5);
		else if (fields[i].kind == 1)
			sdc_field_int(f, SDC_LONG, 3);
		else if (fields[i].kind == 2)
			sdc_field_double(f, 42.5);
		sdc_path_release(&p);
	}
	sdc_record_set_attr(&rec, "topic", "mall/1/s7");
}

/* Whether the one condition text holds for rec. */
static bool
holds(const char *text)
{
	struct sdc_conditions *c = sdc_conditions_new();
	bool yes;

	sdc_conditions_add(c, text);
	yes = sdc_conditions_hold(c, &rec);
	sdc_conditions_free(c);
	return yes;
}

static void
test_operators(void)
{
	ok(holds("/zone"), "a field that is there");
	ok(!holds("/gone"), "a null field is not there");
	ok(!holds("/nothing"), "nor a missing one");
	ok(holds("/zone==shoes") && !holds("/zone==shoe"), "==");
	ok(holds("/zone!=hats") && !holds("/zone!=shoes"), "!=");
	ok(holds("/nothing!=x") && holds("/nothing!~x"),
	    "a missing field satisfies != and !~ only");
	ok(!holds("/nothing==x") && !holds("/nothing<1"),
	    "and not == or <");
	ok(holds("/zone=~^sh") && !holds("/zone=~^x"), "=~");
	ok(holds("/zone!~^x") && !holds("/zone!~o"), "!~");
	ok(holds("/visits>2") && !holds("/visits>3"), ">");
	ok(holds("/visits>=3") && holds("/visits<=3") && !holds("/visits<3"),
	    ">=, <=, <");
	ok(holds("/dwell>42.4") && !holds("/dwell<42"), "on a DOUBLE");
	ok(!holds("/zone>1"), "a string is not a number");
	ok(holds("/visits==3"), "a LONG as text");
}

static void
test_attributes_and_sets(void)
{
	struct sdc_conditions *c = sdc_conditions_new();

	ok(holds("attr:topic=~^mall/1/"), "a header attribute");
	ok(!holds("attr:nope"), "a missing attribute");
	ok(sdc_conditions_hold(c, &rec), "no condition holds");
	sdc_conditions_add(c, "/visits>1");
	sdc_conditions_add(c, "attr:topic");
	ok(sdc_conditions_hold(c, &rec), "all of two hold");
	sdc_conditions_add(c, "/zone==hats");
	ok(!sdc_conditions_hold(c, &rec), "one of three does not");
	is_int((long long)sdc_conditions_count(c), 3, "three conditions");
	sdc_conditions_free(c);
}

int
main(void)
{
	make_record();
	test_operators();
	test_attributes_and_sets();
	sdc_record_release(&rec);
	return tap_done();
}
