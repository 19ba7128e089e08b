/*
 * libFuzzer harness for the log reader: the first byte chooses the
 * --log-format (common, combined, a custom LogFormat, error, a regex,
 * syslog, CEF, LEEF, grok, log4j) and --keep-line; the rest is read whole and in small pieces, and
 * both readings must make the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "log.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t digest;

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
	else if (f->type == SDC_ZONED_DATETIME) {
		mix(&f->v.z.us, sizeof(f->v.z.us));
		mix(&f->v.z.offset_s, sizeof(f->v.z.offset_s));
	} else if (f->type == SDC_LONG || f->type == SDC_DATETIME)
		mix(&f->v.i, sizeof(f->v.i));
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run;
	mix(r->h.id.ptr, r->h.id.len);
	mix(r->h.error.message.ptr, r->h.error.message.len);
	if (r->root.type != SDC_MAP)
		return;
	for (uint32_t i = 0; i < r->root.count; i++) {
		mix(r->root.v.entries[i].key.ptr, r->root.v.entries[i].key.len);
		mix_field(&r->root.v.entries[i].value);
	}
}

static uint64_t
read_log(const struct sdc_log_opts *o, const uint8_t *p, size_t n,
    size_t piece)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_log_reader *r;

	sdc_options_init(&opt);
	opt.progress = 0;
	opt.max_record = 4096;
	sdc_run_start(&run, "fuzz", &opt, &w);
	digest = 0xcbf29ce484222325ULL;
	r = sdc_log_reader_new(&run, "f", o);
	for (size_t i = 0; i < n; i += piece)
		sdc_log_reader_feed(r, p + i, n - i < piece ? n - i : piece);
	sdc_log_reader_finish(r);
	sdc_log_reader_free(r);
	sdc_run_finish(&run);
	return digest;
}

static const char *const formats[] = {
	"common", "combined", "error",
	"apache:%v:%p %a %l %u %t \"%r\" %m %U %q %>s %B \"%{Referer}i\" "
	"%D %T %{msec_frac}t %{X-Id}o %{cookie}C %%",
	"regex:^(?<ip>\\S+) (?:(?<user>\\w+)|-) \\[(?<t>[^]]*)\\] (?<rest>.*)",
	"syslog", "cef", "leef",
	"grok:%{IPORHOST:client} %{NOTSPACE:user} \\[%{HTTPDATE:t:datetime}\\] "
	"%{NUMBER:n:int} %{NUMBER:x:float} %{WORD:b:boolean} %{GREEDYDATA:m}",
	"log4j:%d{ISO8601} %-5p [%t] %c{1} %X{user} - %m%n",
};
#define NFORMATS (sizeof(formats) / sizeof(*formats))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sdc_format *f = sdc_format_find("log");
	const struct sdc_plugin_option *set = f->options;
	struct sdc_log_opts o;
	uint64_t whole;

	if (size < 1)
		return 0;
	f->opts_init(&o);
	set[0].set(&o, "--log-format", formats[data[0] % NFORMATS]);
	o.keep_line = data[0] & 0x80;
	whole = read_log(&o, data + 1, size - 1, size);
	if (read_log(&o, data + 1, size - 1, 1 + data[0] / NFORMATS % 7) != whole)
		abort();	/* the cut of the input changed the records */
	f->opts_release(&o);
	return 0;
}
