/*
 * libFuzzer harness for site files: any bytes are read as a site, and a
 * site that loads is asked for zones and hours.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>

#include "site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdc_site s;
	char err[512];
	uint32_t f;

	if (sdc_site_parse(&s, "site", (const char *)data, size, err,
	    sizeof err) == 0) {
		for (f = 0; f < s.nfloors; f++)
			(void)sdc_site_zone_at(&s, f, (struct sdc_point){
			    s.floors[f].outline.v[0].x + 0.5,
			    s.floors[f].outline.v[0].y + 0.5 });
		(void)sdc_site_open_at(&s, 1772445600000);
	}
	sdc_site_release(&s);
	return 0;
}
