/*
 * Who may post to the http origin: the application id, in the
 * X-SDC-APPLICATION-ID header (or, when allowed, the sdcApplicationId
 * query parameter) as StreamSets' HTTP Server origin takes it; and the
 * user:password lines of --basic-auth-file, compared in constant time.
 */
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <string.h>

#include "http-origin.h"
#include "banned.h"

static bool
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

bool
sdc_http_app_id_ok(const struct sdc_http_origin *ho,
    struct MHD_Connection *conn)
{
	const char *want = ho->opt->app_id, *got;

	if (want == NULL)
		return true;
	got = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-SDC-APPLICATION-ID");
	if (got == NULL && ho->opt->app_id_in_query)
		got = MHD_lookup_connection_value(conn,
		    MHD_GET_ARGUMENT_KIND, "sdcApplicationId");
	return got != NULL && same(got, strlen(got), want, strlen(want));
}

bool
sdc_http_users_match(const struct sdc_secret *users, const char *user,
    const char *pass)
{
	const char *p = (const char *)users->data;
	const char *end = p + users->len;
	size_t ulen = strlen(user), plen = strlen(pass);
	bool found = false;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol != NULL ? eol : end;
		const char *colon = memchr(p, ':', (size_t)(line_end - p));

		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (colon != NULL && same(p, (size_t)(colon - p), user, ulen) &&
		    same(colon + 1, (size_t)(line_end - colon - 1), pass, plen))
			found = true;
		p = eol != NULL ? eol + 1 : end;
	}
	return found;
}

bool
sdc_http_user_ok(const struct sdc_http_origin *ho,
    struct MHD_Connection *conn)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(conn, &pass);
	bool ok = user != NULL && pass != NULL &&
	    sdc_http_users_match(&ho->users, user, pass);

	if (pass != NULL) {
		OPENSSL_cleanse(pass, strlen(pass));
		MHD_free(pass);
	}
	MHD_free(user);
	return ok;
}
