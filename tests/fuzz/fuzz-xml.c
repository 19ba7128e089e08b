/*
 * libFuzzer harness for the xml reader: the first byte chooses the
 * record elements (the root's children, a name, a path with '*' and a
 * prefix bound to a namespace) and --xml-preserve-root; the rest is
 * the document, read whole and in small pieces, and both readings must
 * make the same records and error records.  libxml2 reports the errors
 * it gets over (XML_ERROR) as it reads ahead, so the record one falls
 * in depends on the cut: inputs with such errors are read, not
 * compared; nor are the place and reason of the fatal error (XML_PARSE)
 * that libxml2 gives, which depend on the cut when the input is not
 * UTF-8; nor documents in another encoding, which libxml2 converts a
 * piece at a time.  The records are written back as XML too, which
 * must not fail on what the reader made.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "run.h"
#include "xml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t digest;
static bool uncompared;		/* the cut may change the records */
static struct sdc_writer *xml_out;

static void
mix(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		digest = (digest ^ b[i]) * 0x100000001b3ULL;
	digest = (digest ^ 0xff) * 0x100000001b3ULL;
}

static void
mix_field(const struct sdc_field *f)
{
	mix(&f->type, 1);
	mix(&f->null, 1);
	if (f->null)
		return;
	if (f->type == SDC_STRING)
		mix(f->v.s.ptr, f->v.s.len);
	else if (f->type == SDC_LIST)
		for (uint32_t i = 0; i < f->count; i++)
			mix_field(&f->v.items[i]);
	else if (f->type == SDC_MAP)
		for (uint32_t i = 0; i < f->count; i++) {
			mix(f->v.entries[i].key.ptr, f->v.entries[i].key.len);
			mix_field(&f->v.entries[i].value);
		}
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	mix(r->h.error.code.ptr, r->h.error.code.len);
	/*
	 * libxml2's reader parses ahead as far as its input goes, so how
	 * many whole records come before a fatal error depends on the cut
	 * of the input (found by fuzz-xml): such inputs are not compared.
	 */
	if (r->h.error.code.len == 9 &&
	    memcmp(r->h.error.code.ptr, "XML_PARSE", 9) == 0) {
		uncompared = true;
		return;
	}
	mix(r->h.id.ptr, r->h.id.len);
	if (r->h.error.code.len == 10 &&
	    memcmp(r->h.error.code.ptr, "XML_RENDER", 10) == 0)
		abort();	/* what the reader made cannot be written */
	if (r->h.error.code.len == 9 &&
	    memcmp(r->h.error.code.ptr, "XML_ERROR", 9) == 0)
		uncompared = true;	/* not compared */
	mix_field(&r->root);
	if (r->kind == SDC_KIND_DATA)
		xml_out->record(xml_out, run, r);
}

struct pieces {
	const uint8_t	*p;
	size_t		 n, piece;
};

static ssize_t
read_pieces(void *ctx, void *buf, size_t n)
{
	struct pieces *s = ctx;
	size_t k = s->n < s->piece ? s->n : s->piece;

	if (k > n)
		k = n;
	memcpy(buf, s->p, k);
	s->p += k;
	s->n -= k;
	return (ssize_t)k;
}

static uint64_t
read_xml(const struct sdc_xml_opts *o, const struct sdc_xml_opts *wo,
    const uint8_t *p, size_t n, size_t piece)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct pieces s = { p, n, piece };
	struct sdc_options opt;
	struct sdc_run run;

	sdc_options_init(&opt);
	opt.progress = 0;
	opt.max_record = 1 << 16;
	sdc_run_start(&run, "fuzz", &opt, &w);
	run.out.fd = open("/dev/null", O_WRONLY);	/* closed at finish */
	digest = 0xcbf29ce484222325ULL;
	xml_out = sdc_xml_writer_new(wo);
	sdc_xml_read_doc(&run, "f", o, read_pieces, &s);
	xml_out->free(xml_out);
	sdc_run_finish(&run);
	return digest;
}

static bool
declares_encoding(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 8 <= n && i < 200; i++)
		if (memcmp(p + i, "encoding", 8) == 0)
			return true;
	return false;
}

static const char *const records[] = { NULL, "b", "/*/b", "/a/p:b",
	"/*" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sdc_format *f = sdc_format_find("xml");
	const struct sdc_plugin_option *set = f->options;
	struct sdc_xml_opts o, wo;
	uint64_t whole;

	if (size < 1)
		return 0;
	f->opts_init(&o);
	if (records[data[0] % 5] != NULL)
		set[0].set(&o, "--xml-record", records[data[0] % 5]);
	set[2].set(&o, "--xml-namespace", "p=urn:p");
	o.preserve_root = data[0] & 0x80;
	f->opts_init(&wo);
	wo.preserve_root = o.preserve_root;
	uncompared = size < 2 || data[1] != '<' || declares_encoding(data,
	    size);
	whole = read_xml(&o, &wo, data + 1, size - 1, size);
	if (read_xml(&o, &wo, data + 1, size - 1, 1 + data[0] / 5 % 7) !=
	    whole && !uncompared)
		abort();	/* the cut of the input changed the records */
	f->opts_release(&o);
	f->opts_release(&wo);
	return 0;
}
