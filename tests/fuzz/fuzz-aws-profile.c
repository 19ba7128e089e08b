/*
 * libFuzzer harness for the shared credentials file's reader
 * (lib/aws/credentials.c): the input is the file; a profile found has
 * both keys, each a line's value.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdc_aws_creds c;
	char err[256];

	memset(&c, 0, sizeof c);
	if (sdc_aws_profile_parse(&c, (const char *)data, size, "default",
	    err, sizeof err)) {
		if (c.access_key[0] == '\0' || c.secret_key[0] == '\0' ||
		    strchr(c.access_key, '\n') != NULL)
			abort();
	} else if (memchr(err, '\0', sizeof err) == NULL) {
		abort();
	}
	sdc_aws_creds_release(&c);
	return 0;
}
