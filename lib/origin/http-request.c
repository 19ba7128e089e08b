/*
 * One request of the http origin: checked when its headers arrive, its
 * body gathered (at most --max-message-size), parsed as one payload,
 * and answered 200 only once the output has written its records; until
 * then, and while the output is full, its connection is suspended.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "http-origin.h"
#include "inflate.h"
#include "loop.h"
#include "net.h"
#include "xalloc.h"
#include "banned.h"

#define TOO_LARGE	"body larger than --max-message-size"

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *text,
    const char *header, const char *value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text),
	    (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain");
	if (header != NULL)
		MHD_add_response_header(r, header, value);
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
ask_for_user(struct MHD_Connection *conn)
{
	static const char text[] = "authentication required\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof text - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok = MHD_queue_basic_auth_fail_response(conn,
	    "sdc-ingest", r);

	MHD_destroy_response(r);
	return ok;
}

void
sdc_http_list_add(struct sdc_http_list *l, struct sdc_http_req *r)
{
	r->on = l;
	r->next = NULL;
	r->prev = l->last;
	if (l->last != NULL)
		l->last->next = r;
	else
		l->first = r;
	l->last = r;
}

void
sdc_http_list_remove(struct sdc_http_req *r)
{
	struct sdc_http_list *l = r->on;

	if (l == NULL)
		return;
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		l->first = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		l->last = r->prev;
	r->on = NULL;
	r->prev = r->next = NULL;
}

static void
suspend(struct sdc_http_req *r, enum sdc_http_state state,
    struct sdc_http_list *l)
{
	r->state = state;
	sdc_http_list_add(l, r);
	MHD_suspend_connection(r->conn);
}

void
sdc_http_resume(struct sdc_http_req *r, enum sdc_http_state state)
{
	sdc_http_list_remove(r);
	r->state = state;
	MHD_resume_connection(r->conn);
	sdc_http_kick(r->ho);
}

/*
 * Whether records of n bytes fit now.  The loop says when the output
 * is full between its rounds only, and several bodies may end in one:
 * past the output's limit a write would wait for standard output and
 * stop the loop, so a body waits unless the output is empty or it
 * fits in half the limit.
 */
static bool
room_for(const struct sdc_http_origin *ho, size_t n)
{
	const struct sdc_loop *l = ho->ing->loop;
	uint64_t pending = sdc_loop_output_end(l) - sdc_loop_output_written(l);

	return !ho->full && (pending == 0 ||
	    pending + n < ho->ing->opt.max_buffer / 2);
}

/*
 * Those waiting are answered in order of their positions, since the
 * output is written in order; those paused go on when there is room,
 * which the loop may not call full (it looks between rounds only).
 */
void
sdc_http_on_written(void *ctx, uint64_t written)
{
	struct sdc_http_origin *ho = ctx;

	while (ho->waiting.first != NULL &&
	    ho->waiting.first->ack_at <= written)
		sdc_http_resume(ho->waiting.first, SDC_HTTP_WRITTEN);
	while (room_for(ho, 0) && ho->paused.first != NULL)
		sdc_http_resume(ho->paused.first, SDC_HTTP_READING);
}

/* "127.0.0.1:5000" or "[::1]:5000" into its address and port. */
static void
add_peer(struct sdc_meta *m, char *peer)
{
	char *colon = strrchr(peer, ':'), *host = peer;
	size_t len;

	if (colon == NULL)
		return;
	*colon = '\0';
	len = strlen(host);
	if (host[0] == '[' && len > 1 && host[len - 1] == ']') {
		host[len - 1] = '\0';
		host++;
	}
	sdc_meta_add(m, "remoteAddress", host);
	sdc_meta_add(m, "remotePort", colon + 1);
}

static void
describe(struct sdc_http_req *r, const char *url, const char *method)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *cn = sdc_http_relay_peer(r->conn);
	char peer[SDC_NET_NAME_LEN];

	sdc_net_sockaddr_name(ci != NULL ? ci->client_addr : NULL, peer,
	    sizeof peer);
	snprintf(r->name, sizeof r->name, "%s#%llu", peer,
	    (unsigned long long)++r->ho->seq);
	sdc_meta_clear(&r->meta);
	add_peer(&r->meta, peer);
	sdc_meta_add(&r->meta, "localAddress", r->ho->opt->listen);
	sdc_meta_add(&r->meta, "method", method);
	sdc_meta_add(&r->meta, "path", url);
	if (cn != NULL)
		sdc_meta_add(&r->meta, "tlsPeer", cn);
	sdc_meta_add_now(&r->meta);
}

static enum MHD_Result
refuse(struct sdc_http_req *r, unsigned status, const char *code,
    const char *why)
{
	char text[256];

	sdc_ingest_refuse(r->ho->ing, r->name, &r->meta, r->body.data,
	    r->body.len, code, "%s", why);
	r->state = SDC_HTTP_ANSWERED;
	snprintf(text, sizeof text, "%s\n", why);
	return answer(r->conn, status, text, NULL, NULL);
}

/* The checks on the headers: *done when a response is queued. */
static enum MHD_Result
check_request(struct sdc_http_origin *ho, struct MHD_Connection *conn,
    const char *method, bool *done)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	size_t length = cl != NULL ? (size_t)strtoull(cl, NULL, 10) : 0;

	*done = true;
	if (ho->stopping)
		return answer(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "stopping\n", MHD_HTTP_HEADER_CONNECTION, "close");
	if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only POST and PUT\n", MHD_HTTP_HEADER_ALLOW, "POST, PUT");
	if (ho->users.data != NULL && !sdc_http_user_ok(ho, conn))
		return ask_for_user(conn);
	if (ho->opt->tls.conf.verify_peer && sdc_http_relay_peer(conn) == NULL)
		return answer(conn, MHD_HTTP_FORBIDDEN,
		    "no verified client certificate\n", NULL, NULL);
	if (!sdc_http_app_id_ok(ho, conn))
		return answer(conn, MHD_HTTP_FORBIDDEN,
		    "wrong or missing application id\n", NULL, NULL);
	if (ho->opt->busy == SDC_HTTP_BUSY_503 && !room_for(ho, length))
		return answer(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy: try again\n", MHD_HTTP_HEADER_RETRY_AFTER, "1");
	*done = false;
	return MHD_YES;
}

static const char *
body_encoding(struct MHD_Connection *conn, bool *known)
{
	const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_ENCODING);

	*known = true;
	if (e == NULL || strcasecmp(e, "identity") == 0)
		return NULL;
	if (strcasecmp(e, "gzip") == 0 || strcasecmp(e, "x-gzip") == 0)
		return "gzip";
	if (strcasecmp(e, "deflate") == 0)
		return "deflate";
	*known = false;
	return e;
}

static enum MHD_Result
begin(struct sdc_http_origin *ho, struct MHD_Connection *conn,
    const char *url, const char *method, void **con_cls)
{
	struct sdc_http_req *r;
	const char *length;
	bool done, known;
	enum MHD_Result ok = check_request(ho, conn, method, &done);

	if (done)
		return ok;
	r = sdc_xcalloc(1, sizeof(*r));
	r->ho = ho;
	r->conn = conn;
	sdc_buf_init(&r->body, ho->ing->opt.max_message);
	describe(r, url, method);
	*con_cls = r;
	ho->requests++;
	r->encoding = body_encoding(conn, &known);
	if (!known)
		return refuse(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		    "http-encoding", "unknown content encoding");
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length != NULL && strtoull(length, NULL, 10) >
	    ho->ing->opt.max_message)
		return refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
		    TOO_LARGE);
	return MHD_YES;
}

/*
 * libmicrohttpd answers only before the body or after it: past the
 * limit the rest is read and dropped, up to as much again, then the
 * connection is closed.
 */
static enum MHD_Result
take_data(struct sdc_http_req *r, const char *data, size_t *size)
{
	size_t room = r->body.max - r->body.len, n = *size;

	*size = 0;
	if (r->state == SDC_HTTP_DISCARDING) {
		r->discarded += n;
		return r->discarded <= r->body.max ? MHD_YES : MHD_NO;
	}
	if (n > 0 && room > 0 &&
	    !sdc_buf_append(&r->body, data, n < room ? n : room))
		sdc_errx(SDC_EXIT_IO, "http: out of memory for a body");
	if (n > room) {
		sdc_ingest_refuse(r->ho->ing, r->name, &r->meta, r->body.data,
		    r->body.len, "too-large", "%s", TOO_LARGE);
		r->state = SDC_HTTP_DISCARDING;
		r->discarded = n - room;
		return MHD_YES;
	}
	if (r->ho->opt->busy == SDC_HTTP_BUSY_WAIT && !room_for(r->ho, 0))
		suspend(r, SDC_HTTP_PAUSED, &r->ho->paused);
	return MHD_YES;
}

/* The whole body: its records, and the 200 once they are written. */
static enum MHD_Result
take_body(struct sdc_http_req *r)
{
	struct sdc_ingest *ing = r->ho->ing;
	struct sdc_loop *l = ing->loop;
	struct sdc_buf plain;
	const char *why;

	if (r->encoding == NULL) {
		sdc_ingest_payload(ing, r->name, &r->meta, r->body.len > 0 ?
		    (const void *)r->body.data : "", r->body.len);
	} else {
		sdc_buf_init(&plain, ing->opt.max_message + 1);
		why = sdc_inflate(&plain, r->body.data, r->body.len,
		    ing->opt.max_message);
		if (why == NULL)
			sdc_ingest_payload(ing, r->name, &r->meta,
			    plain.len > 0 ? (const void *)plain.data : "",
			    plain.len);
		sdc_buf_release(&plain);
		if (why != NULL)
			return refuse(r, strstr(why, "past") != NULL ?
			    MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
			    "http-encoding", why);
	}
	r->ack_at = sdc_loop_output_end(l);
	if (sdc_loop_output_written(l) >= r->ack_at)
		r->state = SDC_HTTP_WRITTEN;
	else
		suspend(r, SDC_HTTP_WAITING, &r->ho->waiting);
	return MHD_YES;
}

enum MHD_Result
sdc_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct sdc_http_req *r = *con_cls;

	(void)version;
	if (r == NULL)
		return begin(cls, conn, url, method, con_cls);
	switch (r->state) {
	case SDC_HTTP_READING:
		if (*upload_data_size > 0)
			return take_data(r, upload_data, upload_data_size);
		if (!room_for(r->ho, r->encoding != NULL ?
		    r->ho->ing->opt.max_message : r->body.len)) {
			suspend(r, SDC_HTTP_PAUSED, &r->ho->paused);
			return MHD_YES;
		}
		take_body(r);
		if (r->state != SDC_HTTP_WRITTEN)
			return MHD_YES;
		/* FALLTHROUGH */
	case SDC_HTTP_WRITTEN:
		r->state = SDC_HTTP_ANSWERED;
		return answer(conn, MHD_HTTP_OK, "", NULL, NULL);
	case SDC_HTTP_DISCARDING:
		if (*upload_data_size > 0)
			return take_data(r, upload_data, upload_data_size);
		r->state = SDC_HTTP_ANSWERED;
		return answer(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    TOO_LARGE "\n", NULL, NULL);
	case SDC_HTTP_DROPPED:
		return MHD_NO;
	case SDC_HTTP_ANSWERED:
		*upload_data_size = 0;
		return MHD_YES;
	default:
		return MHD_YES;
	}
}

static const char *
ended(enum MHD_RequestTerminationCode why)
{
	switch (why) {
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "idle past --idle-timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "stopping";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "closed by the client";
	default:
		return "a read or write error";
	}
}

/* A body cut off by its client is an error record of what came. */
void
sdc_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct sdc_http_req *r = *con_cls;

	(void)cls;
	(void)conn;
	if (r == NULL)
		return;
	if (why != MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    (r->state == SDC_HTTP_READING || r->state == SDC_HTTP_PAUSED))
		sdc_ingest_refuse(r->ho->ing, r->name, &r->meta, r->body.data,
		    r->body.len, "cut-off", "the connection ended %zu bytes "
		    "into the body (%s)", r->body.len, ended(why));
	sdc_http_list_remove(r);
	r->ho->requests--;
	sdc_buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}
