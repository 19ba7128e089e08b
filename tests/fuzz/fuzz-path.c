/*
 * libFuzzer harness for field paths: any text is parsed, and a path
 * that parses is set, read back and deleted on a record.  Built by
 * scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[128];
	struct sdc_path p;
	struct sdc_record r;
	struct sdc_field *f;

	memcpy(text, data, size);
	text[size] = '\0';
	if (sdc_path_parse(&p, text, err, sizeof err) == 0) {
		sdc_record_init(&r);
		f = sdc_path_set(&r.arena, &r.root, &p);
		if (f != NULL) {
			sdc_field_int(f, SDC_LONG, 42);
			if (sdc_path_get(&r.root, &p) != f)
				abort();
			if (p.n > 0 && !sdc_path_delete(&r.root, &p))
				abort();
		}
		sdc_record_release(&r);
		sdc_path_release(&p);
	}
	free(text);
	return 0;
}
