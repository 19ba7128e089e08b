#ifndef SDC_AWS_CREDENTIALS_H
#define SDC_AWS_CREDENTIALS_H
/*
 * AWS credentials, never from the command line: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else a
 * profile (AWS_PROFILE or the one asked for, else "default") of the
 * shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/credentials), else the instance metadata service, IMDSv2 (a
 * session token PUT, then the role's credentials), when the caller
 * allows it or AWS_EC2_METADATA_SERVICE_ENDPOINT gives its address
 * (so that a run without credentials probes no link-local address
 * unasked), and never when AWS_EC2_METADATA_DISABLED is "true".  Loading again reads the
 * sources again, so credentials that expired or were rewritten are
 * picked up.  The credentials own their strings and wipe them.
 */
#include <stdbool.h>
#include <stddef.h>

struct sdc_aws_creds {
	char	*access_key;
	char	*secret_key;
	char	*token;		/* NULL when none */
	double	 expires;	/* seconds since the epoch; 0: not said */
	char	 source[160];	/* where they came from, for messages */
};

/* false with the reason in err when no source has them. */
bool	sdc_aws_creds_load(struct sdc_aws_creds *c, const char *profile,
	    bool imds, char *err, size_t len);
void	sdc_aws_creds_release(struct sdc_aws_creds *c);
/* They expire in less than margin seconds from now. */
bool	sdc_aws_creds_expiring(const struct sdc_aws_creds *c, double margin);

/*
 * The profile's keys in the text of a shared credentials file (an INI
 * file: "[name]" sections of "key = value" lines): false with the
 * reason (and the line) in err when it has no such profile or no keys.
 */
bool	sdc_aws_profile_parse(struct sdc_aws_creds *c, const char *text,
	    size_t n, const char *profile, char *err, size_t len);
/* The role credentials of the instance metadata service. */
bool	sdc_aws_imds_load(struct sdc_aws_creds *c, bool asked, char *err,
	    size_t len);
/* Set the strings of c, each copied (token may be NULL). */
void	sdc_aws_creds_set(struct sdc_aws_creds *c, const char *access_key,
	    const char *secret_key, const char *token);

#endif
