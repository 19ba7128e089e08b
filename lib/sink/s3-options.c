/* The s3 destination's options (a plugin-options.h table). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "s3-sink.h"
#include "banned.h"

#define O(opts)	((struct s3_opts *)(opts))

void
sdc_s3_opts_init(void *opts)
{
	struct s3_opts *o = opts;
	const char *region = getenv("AWS_REGION");
	const char *tmp = getenv("TMPDIR");

	memset(o, 0, sizeof *o);
	o->key = "%Y/%m/%d/%H/part-${uuid}";
	o->region = region != NULL && region[0] != '\0' ? region :
	    "us-east-1";
	o->spool_dir = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
	o->part_size = S3_PART_DEFAULT;
	o->max_open = 16;
}

static void
set_bucket(void *opts, const char *opt, const char *arg)
{
	size_t n = strlen(arg);

	if (n < 3 || n > 63 || strspn(arg, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789.-") != n)
		sdc_usage_error("%s: '%s': a bucket name is 3 to 63 of a-z, "
		    "0-9, '.' and '-'", opt, arg);
	O(opts)->bucket = arg;
}

static void
set_key(void *opts, const char *opt, const char *arg)
{
	if (arg[0] == '\0')
		sdc_usage_error("%s: an empty key template", opt);
	O(opts)->key = arg;
}

static void
set_endpoint(void *opts, const char *opt, const char *arg)
{
	if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
		sdc_usage_error("%s: '%s': not an http:// or https:// URL",
		    opt, arg);
	O(opts)->endpoint = arg;
}

static void
set_region(void *opts, const char *opt, const char *arg)
{
	if (arg[0] == '\0' || strchr(arg, '/') != NULL)
		sdc_usage_error("%s: '%s': not a region", opt, arg);
	O(opts)->region = arg;
}

static void
set_profile(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->profile = arg;
}

static void
set_part_size(void *opts, const char *opt, const char *arg)
{
	size_t n = sdc_parse_size(opt, arg);

	if (n < S3_PART_MIN || n > (5ull << 30))
		sdc_usage_error("%s: '%s': parts are 5M to 5G", opt, arg);
	O(opts)->part_size = n;
}

static void
set_max_records(void *opts, const char *opt, const char *arg)
{
	O(opts)->max_records = sdc_parse_count(opt, arg);
}

static void
set_max_bytes(void *opts, const char *opt, const char *arg)
{
	O(opts)->max_bytes = sdc_parse_size(opt, arg);
}

static void
set_max_age(void *opts, const char *opt, const char *arg)
{
	O(opts)->max_age = sdc_parse_duration(opt, arg);
}

static void
set_max_open(void *opts, const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n < 1 || n > 1024)
		sdc_usage_error("%s: '%s': 1 to 1024", opt, arg);
	O(opts)->max_open = (unsigned)n;
}

static void
set_sse(void *opts, const char *opt, const char *arg)
{
	static const char *const kinds[] = { "AES256", "aws:kms", NULL };

	O(opts)->sse = kinds[sdc_parse_word(opt, arg, kinds)];
}

static void
set_sse_kms_key_id(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->sse_kms_key_id = arg;
}

static void
set_storage_class(void *opts, const char *opt, const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != n)
		sdc_usage_error("%s: '%s': not a storage class (STANDARD, "
		    "STANDARD_IA, GLACIER_IR...)", opt, arg);
	O(opts)->storage_class = arg;
}

static void
set_content_type(void *opts, const char *opt, const char *arg)
{
	if (strpbrk(arg, "\r\n") != NULL)
		sdc_usage_error("%s: a line break in the type", opt);
	O(opts)->content_type = arg;
}

static void
set_spool_dir(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->spool_dir = arg;
}

static void
set_ca(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->ca_file = arg;
}

static void
set_insecure(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	O(opts)->insecure = true;
}

static void
set_unsigned(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	O(opts)->unsigned_payload = true;
}

static void
set_imds(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	O(opts)->imds = true;
}

const struct sdc_plugin_option sdc_s3_options[] = {
	{ "bucket", 0, "NAME", "the bucket to write to (required)",
	  set_bucket },
	{ "key", 0, "TEMPLATE", "object keys (default "
	  "%Y/%m/%d/%H/part-${uuid})", set_key },
	{ "endpoint", 0, "URL", "an S3 server other than AWS's, addressed "
	  "path-style", set_endpoint },
	{ "region", 0, "REGION", "the region signed for (AWS_REGION, else "
	  "us-east-1)", set_region },
	{ "profile", 0, "NAME", "the profile of the shared credentials file "
	  "(AWS_PROFILE, else default)", set_profile },
	{ "part-size", 0, "SIZE", "multipart upload past SIZE, in parts of "
	  "SIZE (8M; 5M at least)", set_part_size },
	{ "max-records", 0, "N", "roll an object after N records",
	  set_max_records },
	{ "max-bytes", 0, "SIZE", "roll an object after SIZE bytes",
	  set_max_bytes },
	{ "max-age", 0, "DURATION", "roll an object this long after its "
	  "first record", set_max_age },
	{ "max-open", 0, "N", "objects being written at once, one a key "
	  "(16)", set_max_open },
	{ "sse", 0, "KIND", "server-side encryption: AES256 or aws:kms",
	  set_sse },
	{ "sse-kms-key-id", 0, "ID", "the KMS key of --sse aws:kms",
	  set_sse_kms_key_id },
	{ "storage-class", 0, "CLASS", "the objects' storage class",
	  set_storage_class },
	{ "content-type", 0, "TYPE", "the objects' Content-Type",
	  set_content_type },
	{ "spool-dir", 0, "DIR", "where parts wait until their upload "
	  "completes (TMPDIR, else /tmp)", set_spool_dir },
	{ "tls-ca", 0, "FILE", "trust the CAs of FILE (PEM)", set_ca },
	{ "tls-insecure", 0, NULL, "accept any server certificate",
	  set_insecure },
	{ "instance-metadata", 0, NULL, "take credentials from the instance "
	  "metadata service (IMDSv2) when none is found before", set_imds },
	{ "unsigned-payload", 0, NULL, "sign requests without hashing the "
	  "bytes (UNSIGNED-PAYLOAD)", set_unsigned },
	{ NULL, 0, NULL, NULL, NULL }
};
