/* Secrets from a file or the environment. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "secret.h"
#include "xalloc.h"
#include "banned.h"

#define SECRET_MAX	(64u << 10)

static void
from_env(struct sdc_secret *s, const char *env, const char *what,
    const char *file_option)
{
	const char *v = getenv(env);

	if (v == NULL || *v == '\0')
		sdc_usage_error("no %s: %s FILE or %s", what, file_option,
		    env);
	s->len = strlen(v);
	s->data = (uint8_t *)sdc_xmemdup(v, s->len);
}

void
sdc_secret_load(struct sdc_secret *s, const char *path, const char *env,
    const char *what, const char *file_option)
{
	uint8_t *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	memset(s, 0, sizeof(*s));
	if (path == NULL) {
		from_env(s, env, what, file_option);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		sdc_err(SDC_EXIT_IO, "%s", path);
	buf = sdc_xmalloc(SECRET_MAX + 1);
	while (len <= SECRET_MAX && (n = read(fd, buf + len,
	    SECRET_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sdc_err(SDC_EXIT_IO, "%s", path);
		len += (size_t)n;
	}
	close(fd);
	if (len > SECRET_MAX)
		sdc_usage_error("%s: the secret is larger than %u bytes", path,
		    SECRET_MAX);
	if (len > 0 && buf[len - 1] == '\n')
		len -= len > 1 && buf[len - 2] == '\r' ? 2 : 1;
	if (len == 0)
		sdc_usage_error("%s: the secret is empty", path);
	buf[len] = '\0';
	s->data = buf;
	s->len = len;
}

bool
sdc_secret_load_if_any(struct sdc_secret *s, const char *path,
    const char *env, const char *what, const char *file_option)
{
	const char *v = getenv(env);

	memset(s, 0, sizeof(*s));
	if (path == NULL && (v == NULL || *v == '\0'))
		return false;
	sdc_secret_load(s, path, env, what, file_option);
	return true;
}

void
sdc_secret_release(struct sdc_secret *s)
{
	if (s->data != NULL)
		OPENSSL_cleanse(s->data, s->len);
	free(s->data);
	memset(s, 0, sizeof(*s));
}
