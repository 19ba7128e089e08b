/*
 * libFuzzer harness for the reading of spark-submit's output (the
 * application id, the final status, the last lines) and the quoting of
 * an argv.  The input is fed in pieces the first byte sizes; every line
 * must come out whole and bounded, the id must be one of the shapes
 * looked for, and the reason must be one of the lines kept.  Built by
 * scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-submit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_line(void *ctx, const char *line)
{
	size_t *lines = ctx;

	if (strlen(line) >= SUBMIT_LINE_MAX || strchr(line, '\n') != NULL)
		abort();
	(*lines)++;
}

static void
check_id(const char *id)
{
	if (*id != '\0' && strncmp(id, "application_", 12) != 0 &&
	    strncmp(id, "app-", 4) != 0)
		abort();
}

static void
quote(const uint8_t *data, size_t size)
{
	char *word = malloc(size + 1), *argv[3] = { "spark-submit", word,
	    NULL }, *q;

	if (word == NULL)
		return;
	memcpy(word, data, size);
	word[size] = '\0';
	q = sdc_submit_quote(argv);
	if (strchr(q, '\n') != NULL)
		abort();	/* one line, whatever the words */
	free(q);
	free(word);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct submit_output *o;
	size_t piece, lines = 0;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] + 1;
	data++, size--;
	quote(data, size);
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return 0;
	for (size_t at = 0; at < size; at += piece)
		sdc_submit_output_feed(o, (const char *)data + at,
		    size - at < piece ? size - at : piece, on_line, &lines);
	sdc_submit_output_end(o, on_line, &lines);
	if (lines != o->ntail)
		abort();
	check_id(o->app_id);
	(void)sdc_submit_output_reason(o);
	free(o);
	return 0;
}
