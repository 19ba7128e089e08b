/*
 * libFuzzer harness for the http origin's users file (--basic-auth-file):
 * the input is the file, up to a NUL, then a "user:password" to look
 * up in it; a match must be one of the file's lines.  Built by
 * scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http-origin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The line "user:pass" is in the file, with LF or CRLF or at its end. */
static bool
has_line(const uint8_t *file, size_t n, const char *line)
{
	size_t len = strlen(line);

	for (size_t at = 0; at + len <= n; at++) {
		if ((at > 0 && file[at - 1] != '\n') ||
		    memcmp(file + at, line, len) != 0)
			continue;
		if (at + len == n || file[at + len] == '\n' ||
		    (file[at + len] == '\r' && (at + len + 1 == n ||
		    file[at + len + 1] == '\n')))
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t flen = nul != NULL ? (size_t)(nul - data) : size;
	size_t rest = nul != NULL ? size - flen - 1 : 0;
	struct sdc_secret users = { (uint8_t *)(uintptr_t)data, flen };
	char *probe = malloc(rest + 1), *colon;

	memcpy(probe, nul != NULL ? nul + 1 : data, rest);
	probe[rest] = '\0';
	colon = strchr(probe, ':');
	if (colon != NULL && memchr(probe, '\n', strlen(probe)) == NULL) {
		*colon = '\0';
		if (sdc_http_users_match(&users, probe, colon + 1)) {
			*colon = ':';
			if (!has_line(data, flen, probe))
				abort();
		}
	}
	free(probe);
	return 0;
}
