/*
 * An argv as one line of shell words, for --dry-run and -v: a word of
 * safe characters as it is, others in '...', and a word with control
 * characters (a newline) in $'...', which bash, zsh and ksh read.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "spark-submit.h"
#include "banned.h"

#define SAFE	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789_@%+=:,./-"

static void
put(struct sdc_buf *b, const char *s, size_t n)
{
	if (!sdc_buf_append(b, s, n))
		sdc_errx(SDC_EXIT_IO, "spark-submit: a command line too long "
		    "to show");
}

static bool
has_control(const char *w)
{
	for (; *w != '\0'; w++)
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			return true;
	return false;
}

static void
dollar_quote(struct sdc_buf *b, const char *w)
{
	put(b, "$'", 2);
	for (; *w != '\0'; w++) {
		unsigned char c = (unsigned char)*w;
		char esc[8];

		if (c == '\n')
			put(b, "\\n", 2);
		else if (c == '\t')
			put(b, "\\t", 2);
		else if (c == '\\' || c == '\'') {
			esc[0] = '\\', esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			put(b, esc, 4);
		} else
			put(b, w, 1);
	}
	put(b, "'", 1);
}

static void
quote(struct sdc_buf *b, const char *w)
{
	if (*w != '\0' && strspn(w, SAFE) == strlen(w)) {
		put(b, w, strlen(w));
		return;
	}
	if (has_control(w)) {
		dollar_quote(b, w);
		return;
	}
	put(b, "'", 1);
	for (; *w != '\0'; w++)
		if (*w == '\'')
			put(b, "'\\''", 4);
		else
			put(b, w, 1);
	put(b, "'", 1);
}

char *
sdc_submit_quote(char *const *argv)
{
	struct sdc_buf b;

	sdc_buf_init(&b, 1 << 20);
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			put(&b, " ", 1);
		quote(&b, argv[i]);
	}
	put(&b, "", 1);
	return (char *)b.data;
}
