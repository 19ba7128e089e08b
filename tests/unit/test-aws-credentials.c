/*
 * AWS credentials: a profile of a shared credentials file, the
 * environment before the file, AWS_PROFILE, and the reasons given when
 * none is found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "tap.h"

static const char file[] =
    "# a comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secret default \r\n"
    "\n"
    "[profile writer]\n"
    "  aws_access_key_id\t= AKIDWRITER\n"
    "aws_secret_access_key = writer/secret+key\n"
    "aws_session_token = TOKEN\n"
    "[empty]\n"
    "region = us-east-1\n";

static void
test_parse(void)
{
	struct sdc_aws_creds c;
	char err[256];

	memset(&c, 0, sizeof c);
	ok(sdc_aws_profile_parse(&c, file, strlen(file), "default", err,
	    sizeof err), "the default profile is found");
	is_str(c.access_key, "AKIDDEFAULT", "its key id");
	is_str(c.secret_key, "secret default", "its secret, trimmed of "
	    "blanks and CR");
	ok(c.token == NULL, "no session token");
	ok(sdc_aws_profile_parse(&c, file, strlen(file), "writer", err,
	    sizeof err), "\"[profile writer]\" is the profile writer");
	is_str(c.secret_key, "writer/secret+key", "its secret");
	is_str(c.token, "TOKEN", "its session token");
	ok(!sdc_aws_profile_parse(&c, file, strlen(file), "empty", err,
	    sizeof err), "a profile without keys is refused");
	is_str(err, "profile \"empty\" has no aws_access_key_id and "
	    "aws_secret_access_key", "and says so");
	ok(!sdc_aws_profile_parse(&c, file, strlen(file), "none", err,
	    sizeof err), "a missing profile is refused");
	is_str(err, "no profile \"none\"", "and named");
	sdc_aws_creds_release(&c);
}

static void
test_chain(void)
{
	struct sdc_aws_creds c;
	char dir[] = "/tmp/sdc-test-aws.XXXXXX", path[64], err[1024];
	FILE *f;

	memset(&c, 0, sizeof c);
	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof path, "%s/credentials", dir);
	f = fopen(path, "w");
	fputs(file, f);
	fclose(f);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	unsetenv("AWS_PROFILE");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	ok(sdc_aws_creds_load(&c, NULL, false, err, sizeof err) &&
	    strcmp(c.access_key, "AKIDENV") == 0, "the environment first");
	is_str(c.source, "the environment", "and said so");
	setenv("AWS_PROFILE", "writer", 1);
	ok(sdc_aws_creds_load(&c, NULL, false, err, sizeof err) &&
	    strcmp(c.access_key, "AKIDWRITER") == 0,
	    "AWS_PROFILE: that profile, whatever the environment");
	ok(sdc_aws_creds_load(&c, "default", false, err, sizeof err) &&
	    strcmp(c.access_key, "AKIDDEFAULT") == 0,
	    "a profile asked for before AWS_PROFILE");
	ok(!sdc_aws_creds_load(&c, "none", false, err, sizeof err) &&
	    strstr(err, "no profile \"none\"") != NULL,
	    "a profile asked for and missing is an error");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ACCESS_KEY_ID");
	unlink(path);
	ok(!sdc_aws_creds_load(&c, NULL, true, err, sizeof err) &&
	    strstr(err, "No such file or directory") != NULL &&
	    strstr(err, "disabled (AWS_EC2_METADATA_DISABLED)") != NULL,
	    "none anywhere: every source's reason");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	ok(!sdc_aws_creds_load(&c, NULL, false, err, sizeof err) &&
	    strstr(err, "not asked") != NULL,
	    "the instance metadata service is not asked unless allowed");
	rmdir(dir);
	sdc_aws_creds_release(&c);
}

int
main(void)
{
	test_parse();
	test_chain();
	return tap_done();
}
