#ifndef SDC_S3_SINK_H
#define SDC_S3_SINK_H
/*
 * What the files of the s3 destination share: its options (s3-options.c),
 * the client that signs and sends one request with the --retry-* policy
 * (s3-client.c), and the objects being written, spooled to part files
 * and uploaded by PUT or multipart upload (s3-object.c); s3.c is the
 * destination itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "credentials.h"
#include "retry.h"
#include "s3-xml.h"
#include "sigv4.h"
#include "sink.h"

#define S3_PART_MIN	(5u << 20)	/* S3's least part but the last */
#define S3_PART_DEFAULT	(8u << 20)
#define S3_PARTS_MAX	10000
#define S3_KEY_MAX	1024		/* S3's bound, in bytes */
#define S3_ANSWER_MAX	(1u << 20)

struct s3_opts {
	const char	*bucket;
	const char	*key;		/* a template */
	const char	*endpoint;	/* NULL: AWS, virtual-hosted */
	const char	*region;
	const char	*profile;
	const char	*sse;		/* AES256, aws:kms or NULL */
	const char	*sse_kms_key_id;
	const char	*storage_class;
	const char	*content_type;
	const char	*spool_dir;
	const char	*ca_file;
	bool		 insecure;
	bool		 unsigned_payload;
	bool		 imds;		/* ask the instance metadata */
	size_t		 part_size;
	uint64_t	 max_records;	/* 0: no bound */
	uint64_t	 max_bytes;
	double		 max_age;	/* seconds; 0: no bound */
	unsigned	 max_open;
};

extern const struct sdc_plugin_option sdc_s3_options[];
void	sdc_s3_opts_init(void *opts);

/* ------------------------------------------------------------ the client */

/* Where a request's body is read from, how far. */
struct s3_body {
	const struct s3_call	*k;
	uint64_t		 at;
	int			 error;
};

struct s3_client {
	struct sdc_sink		*s;
	const struct s3_opts	*o;
	CURL			*h;
	struct sdc_aws_creds	 creds;
	char			 origin[512];	/* "http://127.0.0.1:9000" */
	char			 host[300];	/* its Host header */
	bool			 path_style;
	struct sdc_buf		 answer;
	struct curl_slist	*sent;		/* the last request's headers */
	bool			 once;		/* --check: no retries */
	struct sdc_buf		 url;		/* of the last request */
	struct s3_body		 body;
	CURLM			*multi;		/* for a request going on */
	struct s3_call		*async;
	bool			 running, done;
	CURLcode		 result;
};

/* One request: what it sends and what came back. */
struct s3_call {
	const char			*method;
	const char			*key;	/* NULL: the bucket itself */
	const struct sdc_sigv4_pair	*params;
	size_t				 nparams;
	const struct sdc_sigv4_pair	*headers;	/* more to sign */
	size_t				 nheaders;
	const void			*body;		/* in memory, or */
	int				 fd;		/* a file, -1: none */
	uint64_t			 len;
	const char			*payload_hash;	/* NULL: computed */
	/* The answer. */
	long				 status;
	struct sdc_s3_answer		 ans;
	char				 etag[128];
	double				 retry_after;
	char				 why[512];
};

void	s3_client_init(struct s3_client *c, struct sdc_sink *s,
	    const struct s3_opts *o);
void	s3_client_release(struct s3_client *c);
/* Credentials from their sources again: false with the reason. */
bool	s3_client_credentials(struct s3_client *c, char *err, size_t len);
/*
 * Send k until it succeeds (2xx, no Error in the body) or the retry
 * policy gives up on its 5xx, 429, connection and credential failures
 * (credentials are loaded again before each retry after one): true, or
 * false with the reason in k->why.  Other 4xx are not retried.
 */
bool	s3_perform(struct s3_client *c, struct s3_call *k);
void	s3_call_init(struct s3_call *k, const char *method, const char *key);
/*
 * k sent while the caller goes on (one at a time, and no other request
 * until s3_wait): s3_pump moves it on without waiting (true once it is
 * done), s3_wait waits for its end and, if it failed in a way worth
 * retrying, sends it again by s3_perform.  k must outlive the wait.
 */
void	s3_start(struct s3_client *c, struct s3_call *k);
bool	s3_pump(struct s3_client *c);
bool	s3_wait(struct s3_client *c, struct s3_call *k);

/* ------------------------------------------------------------ the objects */

struct s3_part {
	char		*path;		/* the spooled bytes */
	uint64_t	 len;
	char		 sha256[SDC_SHA256_HEX];
	char		 etag[128];
};

struct s3_object {
	struct s3_object	*next;
	char			*partition;	/* the key without uuid, seq */
	char			*key;
	struct sdc_render	*rd;
	uint64_t		 records;
	uint64_t		 length;	/* bytes rendered */
	uint64_t		 spooled;	/* of them, in part files */
	uint64_t		*ends;		/* each record's end offset */
	size_t			 ends_cap;
	double			 opened;	/* uptime of its first record */
	struct s3_part		*parts;		/* the last one being filled */
	size_t			 nparts;
	int			 fd;		/* of the last part, -1: none */
	EVP_MD_CTX		*md;		/* of the last part */
	char			*upload_id;	/* multipart: NULL until then */
	bool			 broken;	/* failed: take no more */
};

/* The part upload going on while the records after it are rendered. */
struct s3_inflight {
	struct s3_object	*o;		/* NULL: none */
	size_t			 part;
	struct s3_call		 k;
	struct sdc_sigv4_pair	 q[2];
	char			 number[24];
	char			 sha256[SDC_SHA256_HEX];	/* parts move */
	int			 fd;
};

struct s3_objects {
	struct s3_client	*c;
	const struct s3_opts	*o;
	struct sdc_sink		*s;
	uint64_t		 spooled;	/* part files made, for names */
	struct s3_inflight	 fl;
	bool			 broke;		/* an object failed: sweep */
};

struct s3_object *s3_object_new(struct s3_objects *os, const char *partition,
	    const char *key);
/*
 * Take what o->rd rendered into its spool, uploading parts that fill:
 * false when o failed (its records are reported failed, its upload
 * aborted), and the caller frees it.
 */
bool	s3_object_spool(struct s3_objects *os, struct s3_object *o);
/* Upload the rest and complete (or fail it all), report, free o. */
void	s3_object_finish(struct s3_objects *os, struct s3_object *o);
void	s3_object_free(struct s3_object *o);
/* Move the part upload going on along; its end settled when it came. */
void	s3_objects_pump(struct s3_objects *os);
/* Wait for the part upload going on, if any. */
void	s3_objects_settle(struct s3_objects *os);

#endif
