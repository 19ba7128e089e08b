/*
 * libFuzzer harness for the collectd reader.  The first byte chooses
 * the options (time conversion, interval, security level, and the user
 * of the seeds, which collectd signed and encrypted); the rest is the
 * input, read as one datagram.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectd.h"
#include "format.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run, (void)r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	static char user[] = "sdcuser", password[] = "s3cret";
	struct sdc_cd_user users[1] = { { user, password } };
	const struct sdc_format *f = sdc_format_find("collectd");
	struct sdc_cd_opts o;
	struct sdc_options opt;
	struct sdc_input in;
	struct sdc_run run;

	if (size < 1)
		return 0;
	f->opts_init(&o);
	o.convert_time = data[0] & 1;
	o.exclude_interval = data[0] & 2;
	if (data[0] & 0x10) {	/* a level wants users */
		o.auth.v = users;
		o.auth.n = 1;
		o.level = (enum sdc_cd_level)((data[0] >> 2) % 3);
	}
	sdc_input_memory(&in, "f", data + 1, size - 1);
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "fuzz", &opt, &w);
	sdc_collectd_read(&run, &in, &o);
	sdc_run_finish(&run);
	o.auth.v = NULL;
	o.auth.n = 0;
	f->opts_release(&o);
	return 0;
}
