/*
 * libFuzzer harness for what the databricks launcher takes from a
 * workspace: the input, as the body of an answer, is read as run-now's
 * (a run id), runs/get's (a run's state), the token endpoint's, and a
 * refusal's error body.  Each must succeed or fail with a reason,
 * never crash; what it keeps must be bounded and its states words.
 * Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "databricks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_word(const char *s, size_t cap)
{
	if (strlen(s) >= cap)
		abort();
	for (; *s != '\0'; s++)
		if ((*s < 'A' || *s > 'Z') && *s != '_')
			abort();
}

static void
check_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sdc_dbx_run_state st;
	struct sdc_dbx_token tok;
	struct sdc_dbx_response resp = { .status = 400 };
	char err[256], desc[512];
	int64_t run_id;

	if (sdc_dbx_parse_run_id(text, size, &run_id, err, sizeof err) &&
	    run_id <= 0)
		abort();
	if (sdc_dbx_parse_run(text, size, &st, err, sizeof err)) {
		check_word(st.life_cycle, sizeof st.life_cycle);
		check_word(st.result, sizeof st.result);
		(void)sdc_dbx_terminal(&st);
	}
	if (sdc_dbx_parse_token(text, size, &tok, err, sizeof err)) {
		if (tok.access_token == NULL || tok.access_token[0] == '\0' ||
		    tok.expires_in <= 0)
			abort();
		free(tok.access_token);
	}
	resp.body.data = (uint8_t *)(uintptr_t)data;
	resp.body.len = size;
	sdc_dbx_describe_error(&resp, desc, sizeof desc);
	if (strlen(desc) >= sizeof desc)
		abort();
	check_printable(desc);
	return 0;
}
