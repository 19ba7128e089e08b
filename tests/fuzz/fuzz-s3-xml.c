/*
 * libFuzzer harness for the S3 answers sdc-sink reads (lib/aws/s3-xml.c):
 * any bytes, whatever they are, give strings that end inside their
 * fields.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdc_s3_answer a;

	if (size > (1u << 20))
		return 0;
	sdc_s3_xml_parse(data, size, &a);
	if (memchr(a.code, '\0', sizeof a.code) == NULL ||
	    memchr(a.upload_id, '\0', sizeof a.upload_id) == NULL ||
	    memchr(a.key, '\0', sizeof a.key) == NULL)
		abort();
	return 0;
}
