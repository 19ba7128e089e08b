/* Starting the Spark driver and talking to it over two record streams. */
#define _GNU_SOURCE	/* pipe2, mkostemp */
#include <errno.h>
#include <stdnoreturn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "diag.h"
#include "process.h"
#include "record.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define LOG_TAIL_BYTES	8192
#define LOG_TAIL_LINES	20
#define STOP_SECONDS	60	/* for destroy() and sc.stop() */
#define READY_EVENT	"sdc-spark-eval.ready"

struct argv_list {
	const char	**v;
	size_t		  n;
};

static void
push(struct argv_list *a, const char *s)
{
	a->v = sdc_xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void
push_option(struct argv_list *a, const char *name, const char *value)
{
	push(a, name);
	push(a, value);
}

static struct argv_list
driver_argv(const struct sdc_spark_config *c, char *parallelism)
{
	struct argv_list a = { NULL, 0 };

	push(&a, c->python);
	push_option(&a, "-m", "sdc_spark.driver");
	push_option(&a, "--transformer", c->transformer);
	if (c->master != NULL)
		push_option(&a, "--master", c->master);
	push_option(&a, "--app-name", c->app_name);
	push_option(&a, "--parallelism", parallelism);
	for (size_t i = 0; i < c->nconf; i++)
		push_option(&a, "--conf", c->conf[i]);
	for (size_t i = 0; i < c->nparams; i++)
		push_option(&a, "--param", c->params[i]);
	for (size_t i = 0; i < c->njars; i++)
		push_option(&a, "--jar", c->jars[i]);
	if (c->sdc_jar != NULL)
		push_option(&a, "--sdc-jar", c->sdc_jar);
	if (c->verbose)
		push(&a, "--verbose");
	return a;
}

/* The package goes after the user's own PYTHONPATH, which may override. */
static void
set_python_path(const char *package_dir)
{
	const char *old = getenv("PYTHONPATH");
	char *path;

	if (package_dir == NULL || *package_dir == '\0')
		return;
	if (old == NULL || *old == '\0') {
		setenv("PYTHONPATH", package_dir, 1);
		return;
	}
	path = sdc_xmalloc(strlen(old) + strlen(package_dir) + 2);
	snprintf(path, strlen(old) + strlen(package_dir) + 2, "%s:%s", old,
	    package_dir);
	setenv("PYTHONPATH", path, 1);
	free(path);
}

/* An unlinked file that the driver appends its log to. */
static int
open_log(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/sdc-spark-eval-log-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	fd = mkostemp(path, O_APPEND | O_CLOEXEC);
	if (fd < 0)
		sdc_err(SDC_EXIT_IO, "%s", path);
	unlink(path);
	return fd;
}

static void
make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0)
		sdc_err(SDC_EXIT_IO, "pipe");
}

/* The last lines of the driver's log, each as a message of ours. */
static void
show_log_tail(const struct sdc_spark_bridge *b)
{
	char tail[LOG_TAIL_BYTES];
	off_t size = b->log_fd < 0 ? 0 : lseek(b->log_fd, 0, SEEK_END);
	off_t from = size > LOG_TAIL_BYTES ? size - LOG_TAIL_BYTES : 0;
	ssize_t n = size > 0 ? pread(b->log_fd, tail, (size_t)(size - from),
	    from) : 0;
	char *line, *end;
	int lines = 0;

	if (n <= 0)
		return;
	end = tail + n;
	if (end[-1] == '\n')
		end--;
	for (line = end; line > tail && lines < LOG_TAIL_LINES; )
		if (*--line == '\n')
			lines++;
	if (*line == '\n')
		line++;
	else if (from > 0)	/* a line cut by the window */
		line = memchr(line, '\n', (size_t)(end - line)) != NULL ?
		    (char *)memchr(line, '\n', (size_t)(end - line)) + 1 : end;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);

		sdc_warnx("driver: %.*s", (int)len, line);
		line += len + 1;
	}
}

/*
 * The driver is gone or broke its link: say why, with its last words.
 * A driver that broke its link but still runs is stopped.
 */
static noreturn void
driver_failed(struct sdc_spark_bridge *b, const char *what)
{
	int status = sdc_wait(b->pid, 5);

	if (status < 0) {
		status = sdc_stop_child(b->pid, 5);
		show_log_tail(b);
		sdc_errx(SDC_EXIT_IO, "the Spark driver %s", what);
	}
	show_log_tail(b);
	sdc_errx(SDC_EXIT_IO, "the Spark driver ended (exit status %d)",
	    status);
}

static void
write_all(struct sdc_spark_bridge *b, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n > 0) {
		ssize_t w = write(b->to_driver, p, n);

		/* Signals wait for a poll point: the driver reads eagerly. */
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			driver_failed(b, errno == EPIPE ? "closed its input" :
			    "cannot be written to");
		p += w;
		n -= (size_t)w;
	}
}

void
sdc_spark_bridge_start(struct sdc_spark_bridge *b,
    const struct sdc_spark_config *c, size_t max_payload)
{
	char parallelism[32];
	struct argv_list argv;
	struct sdc_spawn s;
	int in[2], out[2];
	uint8_t header[SDC_STREAM_HEADER_LEN];
	struct sdc_buf hb = { header, 0, sizeof header, sizeof header };

	memset(b, 0, sizeof(*b));
	b->max_payload = max_payload;
	b->log_fd = c->verbose ? -1 : open_log();
	snprintf(parallelism, sizeof parallelism, "%lu", c->parallelism);
	argv = driver_argv(c, parallelism);
	make_pipe(in);
	make_pipe(out);
	set_python_path(c->package_dir);
	s = (struct sdc_spawn){ argv.v, { in[0], b->log_fd, b->log_fd,
		out[1] }, 4 };
	if (c->verbose)
		s.fds[1] = s.fds[2] = STDERR_FILENO;
	b->pid = sdc_spawn(&s);
	if (b->pid < 0)
		sdc_err(SDC_EXIT_IO, "%s", c->python);
	free(argv.v);
	close(in[0]);
	close(out[1]);
	b->to_driver = in[1];
	if (sdc_frame_reader_open_fd(&b->from_driver, out[0],
	    "the Spark driver", max_payload + (1u << 20)) != 0)
		sdc_err(SDC_EXIT_IO, "the Spark driver");
	sdc_wire_stream_header(&hb);
	write_all(b, header, hb.len);
}

void
sdc_spark_bridge_send(struct sdc_spark_bridge *b, const void *frames,
    size_t len)
{
	uint8_t batch[SDC_FRAME_HEADER_LEN];
	struct sdc_buf bb = { batch, 0, sizeof batch, sizeof batch };

	sdc_wire_frame(&bb, SDC_KIND_BATCH, NULL, 0);
	if (len > 0)
		write_all(b, frames, len);
	write_all(b, batch, bb.len);
}

void
sdc_spark_bridge_next(struct sdc_spark_bridge *b, struct sdc_frame *f)
{
	switch (sdc_frame_reader_next(&b->from_driver, f)) {
	case SDC_READ_FRAME:
		return;
	case SDC_READ_EOF:
		driver_failed(b, "closed its output");
	default:
		sdc_warnx("%s", b->from_driver.err);
		driver_failed(b, "broke its output");
	}
}

void
sdc_spark_bridge_pump(struct sdc_spark_bridge *b)
{
	if (sdc_frame_reader_pump(&b->from_driver) != SDC_READ_FRAME) {
		sdc_warnx("%s", b->from_driver.err);
		driver_failed(b, "broke its output");
	}
}

bool
sdc_spark_frame_is_event(const struct sdc_frame *f, const char *type)
{
	struct sdc_record r;
	const char *reason;
	bool is;

	if (f->kind != SDC_KIND_EVENT)
		return false;
	sdc_record_init(&r);
	is = sdc_wire_decode(&r, SDC_KIND_EVENT, f->payload, f->payload_len,
	    &reason) == 0 && r.h.event.type.len == strlen(type) &&
	    memcmp(r.h.event.type.ptr, type, r.h.event.type.len) == 0;
	sdc_record_release(&r);
	return is;
}

void
sdc_spark_bridge_wait_ready(struct sdc_spark_bridge *b)
{
	struct sdc_frame f;

	sdc_spark_bridge_next(b, &f);
	if (!sdc_spark_frame_is_event(&f, READY_EVENT))
		driver_failed(b, "did not start as expected");
}

/*
 * Nothing is expected after the last batch but the end of the stream;
 * a driver that does not stop in time is stopped.
 */
int
sdc_spark_bridge_close(struct sdc_spark_bridge *b)
{
	struct sdc_frame f;
	enum sdc_read_status st;
	int status;

	close(b->to_driver);
	b->to_driver = -1;
	while ((st = sdc_frame_reader_next(&b->from_driver, &f)) ==
	    SDC_READ_FRAME)
		;
	if (st != SDC_READ_EOF)
		sdc_warnx("%s", b->from_driver.err);
	status = sdc_wait(b->pid, STOP_SECONDS);
	if (status < 0) {
		sdc_warnx("the Spark driver did not stop within %d s",
		    STOP_SECONDS);
		status = sdc_stop_child(b->pid, 5);
	}
	if (status != 0 || st != SDC_READ_EOF) {
		show_log_tail(b);
		sdc_warnx("the Spark driver ended with status %d", status);
	}
	sdc_frame_reader_close(&b->from_driver);
	if (b->log_fd >= 0)
		close(b->log_fd);
	return status != 0 || st != SDC_READ_EOF ? SDC_EXIT_IO : 0;
}
