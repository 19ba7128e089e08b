/*
 * libFuzzer harness for what the http destination takes from outside:
 * the input is a status line (the server's) up to a NUL, then a URL (a
 * template expanded with record fields).  The phrase must be printable
 * and bounded; the escaped URL must hold only bytes a URL may, and
 * unescape back to the input.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http-sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_phrase(const uint8_t *line, size_t n)
{
	char phrase[64];

	memset(phrase, 'x', sizeof phrase);
	if (!sdc_http_status_phrase((const char *)line, n, phrase,
	    sizeof phrase))
		return;
	if (strlen(phrase) >= sizeof phrase)
		abort();
	for (const char *p = phrase; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

static int
unhex(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

static void
check_url(const uint8_t *p, size_t n)
{
	char *url = malloc(n + 1), *out;
	size_t need, k = 0;

	memcpy(url, p, n);
	url[n] = '\0';
	need = sdc_http_url_escape(url, NULL, 0);
	out = malloc(need + 1);
	if (sdc_http_url_escape(url, out, need + 1) != need ||
	    strlen(out) != need)
		abort();
	for (size_t i = 0; i < need; i++, k++) {
		unsigned char c = (unsigned char)out[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c))
			abort();
		if (c == '%' && i + 2 < need + 1 && url[k] != '%') {
			if ((unsigned char)url[k] != (unhex(out[i + 1]) << 4 |
			    unhex(out[i + 2])))
				abort();
			i += 2;
		} else if (url[k] != out[i]) {
			abort();
		}
	}
	if (url[k] != '\0')
		abort();
	free(out);
	free(url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul != NULL ? (size_t)(nul - data) : size;

	check_phrase(data, n);
	if (nul != NULL) {
		const uint8_t *rest = nul + 1, *end = memchr(rest, '\0',
		    size - n - 1);

		check_url(rest, end != NULL ? (size_t)(end - rest) :
		    size - n - 1);
	}
	return 0;
}
