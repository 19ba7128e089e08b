/*
 * libFuzzer harness for the netflow reader.  The first byte chooses
 * the values mode and a template cache of 1 to 4 entries, the second
 * where the input is cut in two: the two pieces are read as two inputs
 * sharing the cache, as datagrams are.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "netflow.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run, (void)r;
}

static void
read_one(const struct sdc_format *f, struct sdc_nf_opts *o,
    const uint8_t *p, size_t n)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_input in;
	struct sdc_run run;

	sdc_input_memory(&in, "f", p, n);
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "fuzz", &opt, &w);
	f->read(&run, &in, o);
	sdc_run_finish(&run);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sdc_format *f = sdc_format_find("netflow");
	struct sdc_nf_opts o;
	size_t cut;

	if (size < 2)
		return 0;
	f->opts_init(&o);
	o.values = (enum sdc_nf_values)(data[0] % 3);
	o.cache->max = 1 + (data[0] >> 2) % 4;
	cut = size - 2 < data[1] ? size - 2 : data[1];
	read_one(f, &o, data + 2, cut);
	read_one(f, &o, data + 2 + cut, size - 2 - cut);
	f->opts_release(&o);
	return 0;
}
