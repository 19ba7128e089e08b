/*
 * The framework of sdc-sparkjob, with a launcher of the test's own
 * (probe) whose behaviour each event's /action field chooses: records
 * and frames passed through in order, events matched by --on and
 * --when, the app-submitted and app-finished events field by field,
 * error records carrying their event, --max-running, the per-minute
 * bound, --timeout, a stop with launches queued, --dry-run, verbatim
 * templates and idempotency tokens.  Each run is a child process
 * reading and writing files as its standard input and output.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame-reader.h"
#include "match.h"
#include "sparkjob-run.h"
#include "sparkjob.h"
#include "tap.h"
#include "varint.h"
#include "wire.h"

static char tmp[] = "/tmp/sdc-test-sparkjob.XXXXXX";
static char in_path[256], out_path[256], err_path[256], log_path[256];

/* ------------------------------------------------------ the probe launcher */

struct probe {
	struct sdc_template	*arg;		/* "${/filepath}" */
	atomic_int		 running, peak;
	FILE			*log;		/* what each launch saw */
};

static void *
probe_open(struct sdc_sparkjob *j, const void *opts, int argc,
    char *const *argv)
{
	struct probe *p = calloc(1, sizeof(*p));

	(void)opts;
	p->arg = sdc_sparkjob_template(j, "APPLICATION",
	    argc > 0 ? argv[0] : "${/filepath}");
	p->log = fopen(log_path, "a");
	setvbuf(p->log, NULL, _IOLBF, 0);
	return p;
}

static const char *
text_field(const struct sdc_record *ev, const char *key)
{
	static char text[256];
	const struct sdc_field *f = sdc_map_get(&ev->root, key, strlen(key));

	if (f == NULL || f->type != SDC_STRING)
		return "";
	snprintf(text, sizeof text, "%.*s", (int)f->v.s.len, f->v.s.ptr);
	return text;
}

static char *
probe_describe(void *state, struct sdc_launch *l)
{
	struct probe *p = state;
	char *arg = sdc_launch_expand(l, p->arg), *text = malloc(strlen(arg) +
	    16);

	sprintf(text, "probe %s", arg);
	free(arg);
	return text;
}

/* A launch that waits, as a launcher waits for its application. */
static bool
probe_wait(struct probe *p, struct sdc_launch *l, double seconds)
{
	int now = atomic_fetch_add(&p->running, 1) + 1, peak;
	bool done;

	while (now > (peak = atomic_load(&p->peak)) &&
	    !atomic_compare_exchange_weak(&p->peak, &peak, now))
		;
	fprintf(p->log, "started %s\n", text_field(sdc_launch_event(l),
	    "filepath"));
	done = sdc_launch_sleep(l, seconds);
	atomic_fetch_sub(&p->running, 1);
	return done;
}

static void
probe_launch(void *state, struct sdc_launch *l)
{
	struct probe *p = state;
	const struct sdc_record *ev = sdc_launch_event(l);
	char action[64], *arg = sdc_launch_expand(l, p->arg);

	snprintf(action, sizeof action, "%s", text_field(ev, "action"));
	fprintf(p->log, "arg %s|token %s\n", arg, sdc_launch_token(l));
	free(arg);
	if (strcmp(action, "fail") == 0) {
		sdc_launch_failed(l, "PROBE_REFUSED", "the probe refused");
		return;
	}
	if (strcmp(action, "sleep") == 0 && !probe_wait(p, l, 0.3)) {
		sdc_launch_failed(l, "PROBE_STOPPED", "stopped");
		return;
	}
	if (strcmp(action, "hang") == 0 && !probe_wait(p, l, 60)) {
		sdc_launch_failed(l, "PROBE_STOPPED", "stopped after %.0f s "
		    "left", sdc_launch_time_left(l) > 0 ? 1.0 : 0.0);
		return;
	}
	sdc_launch_submitted(l, strcmp(action, "as-other") == 0 ?
	    "application_1_0001" : "probe-app", strcmp(action, "as-other") ==
	    0 ? "other" : NULL);
	if (strcmp(action, "app-fails") == 0)
		sdc_launch_finished(l, "FAILED", "exit status 1: boom");
	else
		sdc_launch_finished(l, "FINISHED", NULL);
}

static void
probe_close(void *state)
{
	struct probe *p = state;

	fprintf(p->log, "peak %d\n", atomic_load(&p->peak));
	fclose(p->log);
	free(p);
}

static const struct sdc_launcher probe_launcher = {
	"probe", "a launcher of the test's own", NULL, 0, NULL, NULL,
	probe_open, probe_describe, probe_launch, probe_close
};

/* ---------------------------------------------------------------- input */

static struct sdc_buf input;
static uint64_t input_frames;

static void
put(struct sdc_record *r, const char *key, const char *value)
{
	struct sdc_field *f = sdc_map_append(&r->arena, &r->root, key,
	    strlen(key));

	sdc_field_copy_bytes(&r->arena, f, SDC_STRING, value, strlen(value));
}

static void
add_record(enum sdc_kind kind, const char *type, const char *path,
    const char *action)
{
	struct sdc_record r;
	const char *why;

	sdc_record_init(&r);
	sdc_record_clear(&r, kind);
	sdc_record_set_id(&r, path, strlen(path));
	if (kind == SDC_KIND_EVENT)
		sdc_record_make_event(&r, type, 1);
	sdc_field_container(&r.root, SDC_LIST_MAP);
	put(&r, "filepath", path);
	put(&r, "action", action);
	sdc_wire_encode(&input, &r, 1u << 20, &why);
	input_frames++;
	sdc_record_release(&r);
}

static void
begin_input(void)
{
	sdc_buf_reset(&input);
	sdc_wire_stream_header(&input);
	input_frames = 0;
}

static void
write_input(void)
{
	uint8_t count[SDC_VARINT_MAX];
	struct sdc_buf b;
	FILE *f = fopen(in_path, "wb");

	sdc_buf_init(&b, 64);
	sdc_wire_frame(&b, SDC_KIND_END, count,
	    sdc_varint_put(count, input_frames));
	fwrite(input.data, 1, input.len, f);
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	sdc_buf_release(&b);
	unlink(log_path);
}

/* ----------------------------------------------------------------- a run */

struct result {
	int		 status;
	struct sdc_record rec[64];
	uint8_t		*keep[64];	/* the payloads they were decoded from */
	int		 n;
	char		 log[8192];
	char		 err[8192];
};

static void
child(struct sdc_sparkjob_options *so, bool dry_run, int argc,
    char *const *argv)
{
	struct sdc_options opt;

	dup2(open(in_path, O_RDONLY), 0);
	dup2(open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
	dup2(open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
	sdc_options_init(&opt);
	opt.dry_run = dry_run;
	opt.progress = 0;
	alarm(60);
	_exit(sdc_sparkjob_main(&probe_launcher, NULL, argc, argv, &opt, so));
}

static void
slurp(const char *path, char *dst, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f != NULL ? fread(dst, 1, len - 1, f) : 0;

	dst[n] = '\0';
	if (f != NULL)
		fclose(f);
}

static void
read_output(struct result *res)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	const char *why;

	res->n = 0;
	if (sdc_frame_reader_open(&fr, out_path, 1u << 20) != 0)
		return;
	while (res->n < 64 && sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME) {
		struct sdc_record *r = &res->rec[res->n];
		uint8_t *keep;

		if (f.kind == SDC_KIND_BATCH)
			continue;
		keep = malloc(f.payload_len + 1);
		memcpy(keep, f.payload, f.payload_len);
		sdc_record_init(r);
		if (sdc_wire_decode(r, (enum sdc_kind)f.kind, keep,
		    f.payload_len, &why) != 0) {
			sdc_record_release(r);
			free(keep);
			continue;
		}
		res->keep[res->n++] = keep;
	}
	sdc_frame_reader_close(&fr);
}

/*
 * Run the framework on the input written; kill_after > 0 sends SIGTERM
 * once the log says that many launches started.
 */
static void
run(struct result *res, struct sdc_sparkjob_options *so, bool dry_run,
    int kill_after, int argc, char *const *argv)
{
	pid_t pid;
	int st;

	memset(res, 0, sizeof(*res));
	fflush(stdout);
	if ((pid = fork()) == 0)
		child(so, dry_run, argc, argv);
	for (int tries = 0; kill_after > 0 && tries < 2000; tries++) {
		char log[8192], *p = log;
		int started = 0;

		slurp(log_path, log, sizeof log);
		while ((p = strstr(p, "started ")) != NULL && ++started)
			p++;
		if (started >= kill_after) {
			usleep(200000);	/* the others stay queued */
			kill(pid, SIGTERM);
			break;
		}
		usleep(10000);
	}
	waitpid(pid, &st, 0);
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	read_output(res);
	slurp(log_path, res->log, sizeof res->log);
	slurp(err_path, res->err, sizeof res->err);
}

static void
release(struct result *res)
{
	for (int i = 0; i < res->n; i++) {
		sdc_record_release(&res->rec[i]);
		free(res->keep[i]);
	}
}

static struct sdc_event_match *last_match;

static void
options(struct sdc_sparkjob_options *so)
{
	sdc_event_match_free(last_match);
	memset(so, 0, sizeof(*so));
	so->match = last_match = sdc_event_match_new();
	so->max_running = 1;
	so->max_queued = 1000;
	sdc_retry_policy_default(&so->retry);
}

static const char *
type_of(const struct sdc_record *r)
{
	static char t[64];

	snprintf(t, sizeof t, "%.*s", (int)r->h.event.type.len,
	    r->h.event.type.ptr);
	return t;
}

static const char *
code_of(const struct sdc_record *r)
{
	static char t[64];

	snprintf(t, sizeof t, "%.*s", (int)r->h.error.code.len,
	    r->h.error.code.ptr);
	return t;
}

static int
count_type(const struct result *res, const char *type)
{
	int n = 0;

	for (int i = 0; i < res->n; i++)
		if (res->rec[i].kind == SDC_KIND_EVENT &&
		    strcmp(type_of(&res->rec[i]), type) == 0)
			n++;
	return n;
}

static int
count_kind(const struct result *res, enum sdc_kind kind)
{
	int n = 0;

	for (int i = 0; i < res->n; i++)
		n += res->rec[i].kind == kind;
	return n;
}

static const struct sdc_record *
find_type(const struct result *res, const char *type)
{
	for (int i = 0; i < res->n; i++)
		if (res->rec[i].kind == SDC_KIND_EVENT &&
		    strcmp(type_of(&res->rec[i]), type) == 0)
			return &res->rec[i];
	return NULL;
}

static int64_t
long_field(const struct sdc_record *r, const char *key)
{
	const struct sdc_field *f = sdc_map_get(&r->root, key, strlen(key));

	return f != NULL ? f->v.i : -1;
}

/* ----------------------------------------------------------------- tests */

static void
test_pass_through_and_events(void)
{
	struct sdc_sparkjob_options so;
	struct result res;
	const struct sdc_record *sub, *fin;

	begin_input();
	add_record(SDC_KIND_DATA, NULL, "data-1", "");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/a.json", "ok");
	add_record(SDC_KIND_EVENT, "other-event", "/out/b.json", "ok");
	add_record(SDC_KIND_DATA, NULL, "data-2", "");
	write_input();
	options(&so);
	run(&res, &so, false, 0, 0, NULL);
	is_int(res.status, 0, "a launch that succeeds: exit 0");
	ok(res.n >= 4 && res.rec[0].kind == SDC_KIND_DATA &&
	    res.rec[1].kind == SDC_KIND_EVENT &&
	    strcmp(type_of(&res.rec[1]), "file-closed") == 0,
	    "frames pass through, in order, the launching event too");
	is_int(count_kind(&res, SDC_KIND_DATA), 2, "both data records out");
	is_int(count_type(&res, "other-event"), 1,
	    "an event of another type passes through");
	is_int(count_type(&res, "app-submitted"), 1,
	    "one launch: only file-closed matches by default");
	sub = find_type(&res, "app-submitted");
	fin = find_type(&res, "app-finished");
	ok(sub != NULL && strcmp(text_field(sub, "app-id"), "probe-app") == 0 &&
	    strcmp(text_field(sub, "launcher"), "probe") == 0 &&
	    strcmp(text_field(sub, "event-type"), "file-closed") == 0 &&
	    strcmp(text_field(sub, "event-id"), "/out/a.json") == 0 &&
	    text_field(sub, "submitter")[0] != '\0' &&
	    long_field(sub, "launch") == 1 && long_field(sub, "timestamp") / 1000 >
	    1700000000000LL, "app-submitted: app-id, launcher, event, "
	    "submitter, launch, timestamp");
	ok(fin != NULL && strcmp(text_field(fin, "state"), "FINISHED") == 0 &&
	    long_field(fin, "duration-ms") >= 0 &&
	    sdc_map_get(&fin->root, "succeeded", 9) != NULL &&
	    sdc_map_get(&fin->root, "succeeded", 9)->v.b,
	    "app-finished: state, succeeded, duration");
	ok(strstr(res.log, "arg /out/a.json|") != NULL,
	    "the template expands from the event");
	release(&res);
}

static void
test_failures(void)
{
	struct sdc_sparkjob_options so;
	struct result res;
	const struct sdc_record *fin;
	const struct sdc_record *e1 = NULL, *e2 = NULL;

	begin_input();
	add_record(SDC_KIND_EVENT, "file-closed", "/out/refused", "fail");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/app-fails",
	    "app-fails");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/fine", "ok");
	write_input();
	options(&so);
	run(&res, &so, false, 0, 0, NULL);
	is_int(res.status, 5, "failed launches: exit status 5");
	for (int i = 0; i < res.n; i++)
		if (res.rec[i].kind == SDC_KIND_ERROR) {
			if (e1 == NULL)
				e1 = &res.rec[i];
			else
				e2 = &res.rec[i];
		}
	ok(e1 != NULL && strcmp(code_of(e1), "PROBE_REFUSED") == 0 &&
	    strcmp(text_field(e1, "filepath"), "/out/refused") == 0,
	    "a refused launch: an error record carrying its event");
	ok(e2 != NULL && strcmp(code_of(e2), "SPARKJOB_APP_FAILED") == 0 &&
	    strcmp(text_field(e2, "filepath"), "/out/app-fails") == 0 &&
	    e2->h.error.message.len > 0 && strstr(e2->h.error.message.ptr,
	    "boom") != NULL, "a failed application: an error record with "
	    "the reason");
	fin = find_type(&res, "app-finished");
	ok(fin != NULL && strcmp(text_field(fin, "state"), "FAILED") == 0 &&
	    !sdc_map_get(&fin->root, "succeeded", 9)->v.b &&
	    strstr(text_field(fin, "message"), "boom") != NULL,
	    "its app-finished says FAILED, with the message");
	is_int(count_type(&res, "app-submitted"), 2,
	    "the others were launched");
	ok(strstr(res.err, "2 of 3 launches failed") != NULL,
	    "standard error counts the failed launches");
	release(&res);
}

static void
test_matching(void)
{
	struct sdc_sparkjob_options so;
	struct result res;

	begin_input();
	add_record(SDC_KIND_EVENT, "file-closed", "/out/a.json", "ok");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/b.csv", "ok");
	add_record(SDC_KIND_EVENT, "object-written", "/out/c.json", "ok");
	add_record(SDC_KIND_EVENT, "custom", "/out/d.json", "ok");
	write_input();
	options(&so);
	sdc_event_match_on(so.match, "file-closed");
	sdc_event_match_on(so.match, "custom");
	sdc_event_match_when(so.match, "/filepath=~\\.json$");
	run(&res, &so, false, 0, 0, NULL);
	is_int(count_type(&res, "app-submitted"), 2,
	    "--on file-closed --on custom --when '/filepath=~\\.json$'");
	ok(strstr(res.log, "/out/a.json") && strstr(res.log, "/out/d.json") &&
	    !strstr(res.log, "/out/b.csv") && !strstr(res.log, "/out/c.json"),
	    "the events that match, and only those");
	release(&res);
	options(&so);
	sdc_event_match_on(so.match, "*");
	sdc_event_match_when(so.match, "/action!=ok");
	run(&res, &so, false, 0, 0, NULL);
	is_int(count_type(&res, "app-submitted"), 0, "--when '/action!=ok'");
	release(&res);
	options(&so);
	sdc_event_match_on(so.match, "*");
	sdc_event_match_when(so.match, "/nothing");
	run(&res, &so, false, 0, 0, NULL);
	is_int(count_type(&res, "app-submitted"), 0,
	    "--when on a missing field");
	release(&res);
}

static void
test_max_running(void)
{
	struct sdc_sparkjob_options so;
	struct result res;

	begin_input();
	for (int i = 0; i < 5; i++) {
		char path[32];

		snprintf(path, sizeof path, "/out/%d", i);
		add_record(SDC_KIND_EVENT, "file-closed", path, "sleep");
	}
	write_input();
	options(&so);
	so.max_running = 2;
	run(&res, &so, false, 0, 0, NULL);
	is_int(count_type(&res, "app-submitted"), 5, "every launch ran");
	ok(strstr(res.log, "peak 2\n") != NULL,
	    "--max-running 2: two at once, no more");
	release(&res);
	options(&so);
	so.max_running = 1;
	so.max_queued = 1;
	run(&res, &so, false, 0, 0, NULL);
	is_int(count_type(&res, "app-submitted"), 5,
	    "--max-queued 1: input waits, no launch dropped");
	ok(strstr(res.log, "peak 1\n") != NULL, "one at a time");
	release(&res);
}

static void
test_stop_and_bounds(void)
{
	struct sdc_sparkjob_options so;
	struct result res;
	int not_launched = 0;

	begin_input();
	for (int i = 0; i < 3; i++)
		add_record(SDC_KIND_EVENT, "file-closed", i == 0 ? "/out/0" :
		    i == 1 ? "/out/1" : "/out/2", "hang");
	write_input();
	options(&so);
	run(&res, &so, false, 1, 0, NULL);
	for (int i = 0; i < res.n; i++)
		if (res.rec[i].kind == SDC_KIND_ERROR &&
		    strcmp(code_of(&res.rec[i]), "SPARKJOB_NOT_LAUNCHED") == 0)
			not_launched++;
	is_int(res.status, 5, "SIGTERM: the launches it ended failed");
	is_int(count_kind(&res, SDC_KIND_ERROR), 3,
	    "every launch accounted for: an error record each");
	is_int(not_launched, 2, "the queued ones: not launched");
	release(&res);

	options(&so);
	so.per_minute = 1;
	so.max_running = 3;
	begin_input();
	add_record(SDC_KIND_EVENT, "file-closed", "/out/first", "sleep");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/second", "sleep");
	write_input();
	run(&res, &so, false, 1, 0, NULL);
	ok(strstr(res.log, "started /out/first") != NULL &&
	    strstr(res.log, "started /out/second") == NULL,
	    "--max-launches-per-minute 1: the second waits its minute");
	release(&res);

	options(&so);
	so.timeout = 0.3;
	begin_input();
	add_record(SDC_KIND_EVENT, "file-closed", "/out/slow", "hang");
	write_input();
	run(&res, &so, false, 0, 0, NULL);
	is_int(res.status, 5, "--timeout: a launch past it ends, failed");
	ok(res.n > 1 && res.rec[1].kind == SDC_KIND_ERROR &&
	    strcmp(code_of(&res.rec[1]), "PROBE_STOPPED") == 0,
	    "its error record says why");
	release(&res);
}

static void
test_dry_run_templates_tokens(void)
{
	struct sdc_sparkjob_options so;
	struct result res;
	char *const argv[] = { "${/filepath}", NULL };
	char tokens[3][40] = { "", "", "" };
	const char *p;

	begin_input();
	add_record(SDC_KIND_EVENT, "file-closed",
	    "/out/-x a'b\"c $(touch pwned)\n../../etc", "ok");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/same", "ok");
	add_record(SDC_KIND_EVENT, "file-closed", "/out/same", "ok");
	write_input();
	options(&so);
	run(&res, &so, true, 0, 1, argv);
	is_int(res.status, 0, "--dry-run: exit 0");
	ok(strstr(res.err, "launch 2: would launch: probe /out/same") != NULL,
	    "--dry-run says what each launch would be");
	ok(strstr(res.log, "arg ") == NULL, "... and launches nothing");
	release(&res);
	run(&res, &so, false, 0, 1, argv);
	ok(strstr(res.log, "arg /out/-x a'b\"c $(touch pwned)\n../../etc|") !=
	    NULL, "a hostile value reaches the launcher verbatim");
	p = res.log;
	for (int i = 0; i < 3 && (p = strstr(p, "token ")) != NULL; i++) {
		snprintf(tokens[i], sizeof tokens[i], "%.32s", p + 6);
		p++;
	}
	/* The launches run at once: their lines come in any order. */
	ok(strspn(tokens[0], "0123456789abcdef") == 32 &&
	    strspn(tokens[1], "0123456789abcdef") == 32 &&
	    strspn(tokens[2], "0123456789abcdef") == 32 &&
	    !strcmp(tokens[0], tokens[1]) + !strcmp(tokens[0], tokens[2]) +
	    !strcmp(tokens[1], tokens[2]) == 1,
	    "tokens: 32 hex digits, the same for the same event, else not");
	release(&res);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(in_path, sizeof in_path, "%s/in.sdc", tmp);
	snprintf(out_path, sizeof out_path, "%s/out.sdc", tmp);
	snprintf(err_path, sizeof err_path, "%s/err.txt", tmp);
	snprintf(log_path, sizeof log_path, "%s/log.txt", tmp);
	sdc_buf_init(&input, 1u << 20);
	test_pass_through_and_events();
	test_failures();
	test_matching();
	test_max_running();
	test_stop_and_bounds();
	test_dry_run_templates_tokens();
	sdc_buf_release(&input);
	sdc_event_match_free(last_match);
	unlink(in_path);
	unlink(out_path);
	unlink(err_path);
	unlink(log_path);
	rmdir(tmp);
	printf("1..%d\n", tap_count);
	return tap_failed != 0;
}
