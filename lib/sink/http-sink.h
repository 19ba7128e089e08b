#ifndef SDC_HTTP_SINK_H
#define SDC_HTTP_SINK_H
/*
 * The http destination of sdc-sink: batches of records rendered in
 * --format, sent by POST or PUT to a URL (a template: batches are
 * grouped by the URL their records expand to), retried on connection
 * errors, 408, 429, 5xx and expired credentials, and split one record
 * a request on another 4xx so that only the records the server refuses
 * fail.  http-options.c parses the options, http-client.c makes the
 * requests through libcurl, http-deliver.c decides what a response
 * means for the records of a batch, http.c holds the batches.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "plugin-options.h"
#include "secret.h"
#include "sink.h"

#define SDC_HTTP_HEADERS_MAX	64
/* Bytes of a refusing response's body kept for the error records. */
#define SDC_HTTP_BODY_KEEP	256

struct sdc_http_sink_opts {
	const char	*url;
	const char	*method;	/* POST or PUT, checked at open */
	const char	*headers[SDC_HTTP_HEADERS_MAX];
	size_t		 nheaders;
	uint64_t	 batch_records;
	size_t		 batch_bytes;
	const char	*content_type;	/* NULL: from --format */
	const char	*compress;	/* --compression, checked at open */
	const char	*user;
	const char	*password_file;
	const char	*token_file;
	const char	*tls_ca;
	const char	*tls_cert;
	const char	*tls_key;
	const char	*tls_key_password_file;
	bool		 tls_insecure;
	bool		 split;		/* a refused batch: one a request */
	double		 timeout;	/* seconds a request may take */
	double		 connect_timeout;
};

extern const struct sdc_plugin_option sdc_http_sink_options[];
void	sdc_http_sink_opts_init(void *opts);

/* ------------------------------------------------------------ requests */

enum sdc_http_auth { SDC_HTTP_AUTH_NONE, SDC_HTTP_AUTH_BASIC,
	SDC_HTTP_AUTH_BEARER };

struct sdc_http_response {
	long		 status;	/* 0: none came (error says why) */
	char		 reason[64];	/* the status line's phrase */
	char		 error[256];	/* a transport error, else "" */
	bool		 bad_url;	/* no request can be made of the URL */
	double		 retry_after;	/* seconds asked for, 0 when none */
	struct sdc_buf	 body;		/* its first SDC_HTTP_BODY_KEEP bytes */
};

struct sdc_http_client;

/*
 * One libcurl handle for the run (connections are kept alive), set up
 * from the checked options: a bad header or a TLS file that is not
 * there is a usage error; secrets are loaded here.
 */
struct sdc_http_client *sdc_http_client_new(
	    const struct sdc_http_sink_opts *o, const char *content_type);
void	sdc_http_client_free(struct sdc_http_client *c);
/* Send body (gzip-compressed first under --compression gzip) to url. */
void	sdc_http_send(struct sdc_http_client *c, const char *url,
	    const uint8_t *body, size_t len, struct sdc_http_response *resp);
/* An OPTIONS request to url, for --check. */
void	sdc_http_probe(struct sdc_http_client *c, const char *url,
	    struct sdc_http_response *resp);
/*
 * Read the password or token again from its file, after a 401 or 403:
 * true when it changed (a rotated credential), so trying again may help.
 */
bool	sdc_http_client_reload(struct sdc_http_client *c);
enum sdc_http_auth sdc_http_client_auth(const struct sdc_http_client *c);
/* "503 Service Unavailable" or the transport error, in dst. */
void	sdc_http_describe(const struct sdc_http_response *resp, char *dst,
	    size_t len);
void	sdc_http_response_release(struct sdc_http_response *resp);

/* gzip (RFC 1952) of the n bytes at p, into out; false when out is full. */
bool	sdc_http_gzip(struct sdc_buf *out, const void *p, size_t n);

/* ------------------------------------------------------------- batches */

/*
 * The records of one request: rendered in body, and kept as frames
 * (so that a refused batch can be sent again a record at a time and
 * each record fail on its own).
 */
struct sdc_http_batch {
	char		*url;
	struct sdc_render *rd;
	struct sdc_buf	 frames;	/* the records, sdc-record(5) frames */
	struct sdc_http_held {
		size_t	 end;		/* of its frame in frames */
		double	 put_at;	/* uptime when it was put */
	}		*held;
	size_t		 n, cap;
	size_t		 counted;	/* its bytes in the sink's held */
};

struct sdc_http_sink {
	struct sdc_sink			*s;
	const struct sdc_http_sink_opts	*o;
	struct sdc_http_client		*client;
	struct sdc_template		*url;
	struct sdc_http_batch		**batches;	/* open, by URL */
	size_t				 nbatches;
	size_t				 held;	/* bytes of all batches */
	char				*raw;	/* the URL expanded */
	size_t				 raw_cap;
	char				*expanded;	/* ... and escaped */
	size_t				 expanded_cap;
};

/* The kind of response: what to do with the batch. */
enum sdc_http_verdict {
	SDC_HTTP_DELIVERED,	/* 2xx */
	SDC_HTTP_RETRY,		/* no response, 408, 429, 5xx */
	SDC_HTTP_CREDENTIALS,	/* 401, 403, 407: retried, read again */
	SDC_HTTP_REFUSED	/* any other status: the records are bad */
};

enum sdc_http_verdict sdc_http_verdict(const struct sdc_http_response *resp);
/*
 * Send the batch's records, with the retries of the policy, and report
 * each of them delivered or failed; the batch is then empty.
 */
void	sdc_http_deliver(struct sdc_http_sink *hs, struct sdc_http_batch *b);
/* The i-th record of b, decoded into r (which borrows from b). */
void	sdc_http_batch_record(const struct sdc_http_batch *b, size_t i,
	    struct sdc_record *r);
/* Empty b for its next records (the URL stays). */
void	sdc_http_batch_reset(struct sdc_http_sink *hs,
	    struct sdc_http_batch *b);
/*
 * Percent-encode what may not stand in a URL (spaces, controls, quotes,
 * 8-bit) into dst: the length it needed, as snprintf.
 */
size_t	sdc_http_url_escape(const char *url, char *dst, size_t len);
/*
 * The phrase of a status line ("HTTP/1.1 503 Service Unavailable")
 * into dst, printable; false (dst untouched) when line is none.
 */
bool	sdc_http_status_phrase(const char *line, size_t len, char *dst,
	    size_t dstlen);
/* The n bytes at p as text: controls made spaces, trailing ones cut. */
void	sdc_http_printable(const uint8_t *p, size_t n, char *dst,
	    size_t dstlen);

#endif
