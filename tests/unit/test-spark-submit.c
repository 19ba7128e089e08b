/*
 * The spark-submit launcher's reading of spark-submit's output (the
 * application id, the final status, the reason of a failure) and its
 * quoting of an argv for --dry-run.
 */
#include <stdlib.h>
#include <string.h>

#include "spark-submit.h"
#include "tap.h"

static void
feed(struct submit_output *o, const char *text)
{
	sdc_submit_output_feed(o, text, strlen(text), NULL, NULL);
}

static void
test_yarn(void)
{
	struct submit_output *o = calloc(1, sizeof(*o));

	feed(o, "26/12/01 23:31:21 INFO Client: Submitting application "
	    "application_1796167867880_0001x to ResourceManager\n");
	is_str(o->app_id, "", "an id followed by more is not one");
	feed(o, "26/12/01 23:31:21 INFO YarnClientImpl: Submitted "
	    "application application_1796167867880_0002\r\n");
	is_str(o->app_id, "application_1796167867880_0002", "the YARN id");
	feed(o, "\t final status: UNDEFINED\n");
	feed(o, "INFO Client: Application report for "
	    "application_1796167867880_0003 (state: FINISHED)\n");
	is_str(o->app_id, "application_1796167867880_0002",
	    "the first id is kept");
	feed(o, "\t final status: FAILED\nException in thread \"main\" "
	    "org.apache.spark.SparkException: Application failed\n"
	    "\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1)\n"
	    "\t... 12 more\n26/12/01 23:32:22 INFO ShutdownHookManager: "
	    "Shutdown hook called");
	sdc_submit_output_end(o, NULL, NULL);
	is_str(o->final_status, "FAILED", "the last final status");
	is_str(sdc_submit_output_reason(o), "Exception in thread \"main\" "
	    "org.apache.spark.SparkException: Application failed",
	    "the reason skips INFO lines and stack frames");
	free(o);
}

static void
test_standalone(void)
{
	struct submit_output *o = calloc(1, sizeof(*o));
	char lng[3 * SUBMIT_LINE_MAX];

	feed(o, "INFO StandaloneSchedulerBackend: Connected to Spark cluster "
	    "with app ID app-20261201233000-0007\n");
	is_str(o->app_id, "app-20261201233000-0007", "a standalone id");
	memset(lng, 'x', sizeof lng - 1);
	lng[sizeof lng - 1] = '\0';
	feed(o, lng);
	feed(o, "\n");
	is_int(strlen(sdc_submit_output_reason(o)), SUBMIT_LINE_MAX - 1,
	    "a long line is cut");
	free(o);
	o = calloc(1, sizeof(*o));
	is_str(sdc_submit_output_reason(o), "", "no output, no reason");
	free(o);
}

static void
test_quote(void)
{
	char *argv[] = { "spark-submit", "--master=local[*]", "a b",
	    "it's", "-a\n$(touch X)", "", "--conf=k=v", NULL };
	char *q = sdc_submit_quote(argv);

	is_str(q, "spark-submit '--master=local[*]' 'a b' 'it'\\''s' "
	    "$'-a\\n$(touch X)' '' --conf=k=v", "shell words, one line");
	free(q);
}

int
main(void)
{
	test_yarn();
	test_standalone();
	test_quote();
	return tap_done();
}
