/*
 * The xml format's pieces: XML names, and the reader fed the same
 * document in pieces of every size from one byte, each record checked
 * by its fields' types and values.
 */
#include <string.h>

#include "format.h"
#include "run.h"
#include "tap.h"
#include "xml.h"

static void
test_names(void)
{
	static const char *const good[] = { "a", "a:b", "_x.y-z9", "é",
		"中文", "xml:lang" };
	static const char *const bad[] = { "", "1a", "a b", ":a", "a:",
		"a:b:c", "-a", ".a", "a\xff", "a<" };

	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		ok(sdc_xml_name_ok(good[i], strlen(good[i])), "'%s' is a name",
		    good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(!sdc_xml_name_ok(bad[i], strlen(bad[i])),
		    "'%s' is not a name", bad[i]);
}

static const char doc[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE c [<!ENTITY e \"E&amp;\">]>\n"
    "<c xmlns:p=\"urn:p\">\n"
    "  <b id=\"1\"><t>x&lt;&e;</t><r>1</r><r>2</r></b>\n"
    "  <!-- skipped -->\n"
    "  <b><p:t><![CDATA[<&>]]></p:t>mixed</b>\n"
    "</c>\n";

struct seen {
	int	records, errors, good;
};

static struct seen seen;

static bool
str_is(const struct sdc_field *f, const char *s)
{
	return f != NULL && f->type == SDC_STRING && !f->null &&
	    f->v.s.len == strlen(s) && memcmp(f->v.s.ptr, s, f->v.s.len) == 0;
}

static const struct sdc_field *
get(const struct sdc_field *m, const char *key)
{
	return sdc_map_get(m, key, strlen(key));
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	const struct sdc_field *root = &r->root, *list;
	bool good;

	if (r->kind == SDC_KIND_ERROR) {
		seen.errors++;
		return;
	}
	if (seen.records++ == 0) {
		list = get(root, "r");
		good = str_is(get(root, "@xmlns:p"), "urn:p") &&
		    str_is(get(root, "@id"), "1") &&
		    str_is(get(root, "t"), "x<E&") && list != NULL &&
		    list->type == SDC_LIST && list->count == 2 &&
		    str_is(&list->v.items[1], "2") && root->count == 4;
	} else {
		good = str_is(get(root, "p:t"), "<&>") &&
		    str_is(get(root, "#text"), "mixed") && root->count == 3;
	}
	seen.good += good;
}

struct pieces {
	const char	*p;
	size_t		 n, piece;
};

static ssize_t
read_pieces(void *ctx, void *buf, size_t n)
{
	struct pieces *s = ctx;
	size_t k = s->n < s->piece ? s->n : s->piece;

	k = k < n ? k : n;
	memcpy(buf, s->p, k);
	s->p += k;
	s->n -= k;
	return (ssize_t)k;
}

static void
test_pieces(void)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	const struct sdc_format *f = sdc_format_find("xml");
	struct sdc_xml_opts o;
	struct sdc_options opt;
	struct sdc_run run;
	bool all = true;

	f->opts_init(&o);
	sdc_options_init(&opt);
	opt.progress = 0;
	for (size_t piece = 1; piece <= sizeof doc; piece++) {
		struct pieces s = { doc, sizeof doc - 1, piece };

		memset(&seen, 0, sizeof seen);
		sdc_run_start(&run, "test", &opt, &w);
		all &= sdc_xml_read_doc(&run, "doc", &o, read_pieces, &s);
		sdc_run_finish(&run);
		all &= seen.records == 2 && seen.good == 2 && seen.errors == 0;
	}
	ok(all, "the document read in pieces of 1 to %zu bytes: two records "
	    "with their attributes, text, entities, lists and CDATA",
	    sizeof doc);
	f->opts_release(&o);
}

int
main(void)
{
	test_names();
	test_pieces();
	return tap_done();
}
