/*
 * The text the http destination takes from outside: the phrase of a
 * server's status line, a refusing answer's first bytes made printable
 * for an error record, and URLs expanded from record fields, escaped.
 */
#include <stdio.h>
#include <string.h>

#include "http-sink.h"
#include "banned.h"

bool
sdc_http_status_phrase(const char *line, size_t len, char *dst,
    size_t dstlen)
{
	const char *code, *phrase;
	size_t k;

	if (len < 12 || strncmp(line, "HTTP/", 5) != 0 ||
	    (code = memchr(line, ' ', len)) == NULL)
		return false;
	code++;
	phrase = memchr(code, ' ', len - (size_t)(code - line));
	k = phrase != NULL ? len - (size_t)(++phrase - line) : 0;
	while (k > 0 && (phrase[k - 1] == '\r' || phrase[k - 1] == '\n'))
		k--;
	if (dstlen == 0)
		return true;
	if (k >= dstlen)
		k = dstlen - 1;
	sdc_http_printable((const uint8_t *)phrase, k, dst, dstlen);
	return true;
}

void
sdc_http_printable(const uint8_t *p, size_t n, char *dst, size_t dstlen)
{
	size_t k = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0; i < n && k + 1 < dstlen; i++)
		dst[k++] = p[i] < 0x20 || p[i] == 0x7f ? ' ' : (char)p[i];
	while (k > 0 && dst[k - 1] == ' ')
		k--;
	dst[k] = '\0';
}

size_t
sdc_http_url_escape(const char *url, char *dst, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		bool plain = *p > 0x20 && *p < 0x7f &&
		    strchr("\"<>\\^`{|}", *p) == NULL;

		if (plain) {
			if (n + 1 < len)
				dst[n] = (char)*p;
			n++;
			continue;
		}
		if (n + 3 < len) {
			dst[n] = '%';
			dst[n + 1] = hex[*p >> 4];
			dst[n + 2] = hex[*p & 15];
		}
		n += 3;
	}
	if (len > 0)
		dst[n < len ? n : len - 1] = '\0';
	return n;
}

