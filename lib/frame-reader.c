#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame-reader.h"
#include "out.h"
#include "signals.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define READ_CHUNK	(1u << 20)

int
sdc_frame_reader_open(struct sdc_frame_reader *r, const char *path,
    size_t max_payload)
{
	int fd = STDIN_FILENO;

	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	return sdc_frame_reader_open_fd(r, fd, fd == STDIN_FILENO ? "stdin" :
	    path, max_payload);
}

int
sdc_frame_reader_open_fd(struct sdc_frame_reader *r, int fd,
    const char *name, size_t max_payload)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
	sdc_pipe_widen(r->fd);
	r->max_payload = max_payload;
	r->cap = READ_CHUNK;
	r->buf = sdc_xcalloc(1, r->cap + SDC_PAYLOAD_PAD);
	return 0;
}

/*
 * End frames and stream headers are read through, as _next does.  A
 * bad stream header or an oversized frame is ready too: _next reports
 * it without reading on.
 */
bool
sdc_frame_reader_ready(const struct sdc_frame_reader *r)
{
	size_t at = r->start;
	bool in_member = r->in_member;
	uint32_t len;

	for (;;) {
		if (r->eof)
			return true;
		if (!in_member) {
			if (r->end < at + SDC_STREAM_HEADER_LEN)
				return false;
			if (memcmp(r->buf + at, SDC_MAGIC, SDC_MAGIC_LEN) != 0)
				return true;
			at += SDC_STREAM_HEADER_LEN;
		}
		if (r->end < at + SDC_FRAME_HEADER_LEN)
			return false;
		memcpy(&len, r->buf + at + 1, 4);
		if (len > r->max_payload)
			return true;
		if (r->end - at - SDC_FRAME_HEADER_LEN < (size_t)len)
			return false;
		if (r->buf[at] != SDC_KIND_END)
			return true;
		at += SDC_FRAME_HEADER_LEN + (size_t)len;
		in_member = false;
	}
}

void
sdc_frame_reader_close(struct sdc_frame_reader *r)
{
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
}

static void make_room(struct sdc_frame_reader *r, size_t need);

void
sdc_frame_reader_preload(struct sdc_frame_reader *r, const void *p, size_t n)
{
	make_room(r, r->end - r->start + n);
	memcpy(r->buf + r->end, p, n);
	r->end += n;
}

static enum sdc_read_status
bad(struct sdc_frame_reader *r, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sdc_read_status
bad(struct sdc_frame_reader *r, uint64_t offset, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof r->err, "%s: byte %llu: ", r->name,
	    (unsigned long long)offset);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
	va_end(ap);
	return SDC_READ_BAD_STREAM;
}

/* Make room for need bytes from start: slide down, then grow. */
static void
make_room(struct sdc_frame_reader *r, size_t need)
{
	if (r->cap - r->start >= need && r->cap - r->end >= READ_CHUNK / 4)
		return;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap < need) {
		size_t old = r->cap;

		r->cap = need + READ_CHUNK;
		r->buf = sdc_xrealloc(r->buf, r->cap + SDC_PAYLOAD_PAD);
		memset(r->buf + old, 0, r->cap + SDC_PAYLOAD_PAD - old);
	}
}

/*
 * One read into the free room.  interrupted: a signal came; and when
 * may_wait, there is nothing yet on a descriptor that does not block.
 */
static enum sdc_read_status
read_once(struct sdc_frame_reader *r, bool may_wait, bool *interrupted)
{
	ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);

	*interrupted = n < 0 && (errno == EINTR || (may_wait &&
	    (errno == EAGAIN || errno == EWOULDBLOCK)));
	if (*interrupted)
		return SDC_READ_FRAME;
	if (n < 0) {
		snprintf(r->err, sizeof r->err, "%s: %s", r->name,
		    strerror(errno));
		return SDC_READ_IO;
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return SDC_READ_FRAME;
}

/* Bytes available from start: at least need unless the input ended. */
static enum sdc_read_status
read_more(struct sdc_frame_reader *r, size_t need)
{
	enum sdc_read_status st;
	bool interrupted;

	while (r->end - r->start < need && !r->eof) {
		make_room(r, need);
		if ((st = read_once(r, false, &interrupted)) != SDC_READ_FRAME)
			return st;
		if (interrupted)
			sdc_signals_poll();
	}
	return SDC_READ_FRAME;
}

/* The check of read_more, inline: most calls find the bytes there. */
static inline enum sdc_read_status
fill(struct sdc_frame_reader *r, size_t need)
{
	return r->end - r->start >= need ? SDC_READ_FRAME : read_more(r, need);
}

static size_t
avail(const struct sdc_frame_reader *r)
{
	return r->end - r->start;
}

enum sdc_read_status
sdc_frame_reader_pump(struct sdc_frame_reader *r)
{
	bool interrupted;

	if (r->eof)
		return SDC_READ_FRAME;
	make_room(r, avail(r) + 1);
	return read_once(r, true, &interrupted);
}

static uint64_t
here(const struct sdc_frame_reader *r)
{
	return r->base + r->start;
}

/* For "not a stream": what the input looks like instead. */
static const char *
guess_format(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return "json";
	for (; i < n && p[i] != '\n'; i++)
		if (p[i] == ',')
			return "csv";
	return "text";
}

static enum sdc_read_status
not_a_stream(struct sdc_frame_reader *r)
{
	size_t n = avail(r) < 4096 ? avail(r) : 4096;

	snprintf(r->err, sizeof r->err,
	    "%s is not an sdc record stream (try: sdc-convert --from %s)",
	    r->name, guess_format(r->buf + r->start, n));
	return SDC_READ_BAD_STREAM;
}

static enum sdc_read_status
stream_header(struct sdc_frame_reader *r)
{
	const uint8_t *h;
	size_t prefix;
	enum sdc_read_status st = fill(r, SDC_STREAM_HEADER_LEN);

	if (st != SDC_READ_FRAME)
		return st;
	h = r->buf + r->start;
	prefix = avail(r) < SDC_MAGIC_LEN ? avail(r) : SDC_MAGIC_LEN;
	if (memcmp(h, SDC_MAGIC, prefix) != 0)
		return here(r) == 0 ? not_a_stream(r) :
		    bad(r, here(r), "bad stream header");
	if (avail(r) < SDC_STREAM_HEADER_LEN)
		return bad(r, here(r), "truncated stream header");
	if (h[8] == 0)
		return bad(r, here(r), "bad stream header");
	if (h[8] > SDC_WIRE_VERSION)
		return bad(r, here(r), "record stream version %u is newer "
		    "than this program supports (%u)", h[8], SDC_WIRE_VERSION);
	if (h[9] != 0)
		return bad(r, here(r), "unknown stream flags 0x%02x", h[9]);
	r->start += SDC_STREAM_HEADER_LEN;
	r->in_member = true;
	r->member_frames = 0;
	return SDC_READ_FRAME;
}

static enum sdc_read_status
end_frame(struct sdc_frame_reader *r, const struct sdc_frame *f)
{
	const uint8_t *p = f->payload;
	uint64_t count;

	if (!sdc_varint_get(&p, f->payload + f->payload_len, &count) ||
	    p != f->payload + f->payload_len)
		return bad(r, f->offset, "bad end frame");
	if (count != r->member_frames)
		return bad(r, f->offset, "end frame counts %llu frames, the "
		    "stream had %llu", (unsigned long long)count,
		    (unsigned long long)r->member_frames);
	r->in_member = false;
	return SDC_READ_FRAME;
}

static enum sdc_read_status
check_frame_header(struct sdc_frame_reader *r, const uint8_t *h,
    uint32_t *len)
{
	if (h[0] == 0x89)
		return bad(r, here(r), "truncated stream: no end frame");
	if (h[0] == 0 || h[0] > 127)
		return bad(r, here(r), "bad frame kind 0x%02x", h[0]);
	memcpy(len, h + 1, 4);
	if (*len > r->max_payload)
		return bad(r, here(r), "frame of %lu bytes exceeds the record "
		    "size limit (%zu)", (unsigned long)*len, r->max_payload);
	return SDC_READ_FRAME;
}

/* The next frame of a member whose header has been read. */
static enum sdc_read_status
member_frame(struct sdc_frame_reader *r, struct sdc_frame *f)
{
	enum sdc_read_status st;
	const uint8_t *h;
	uint32_t len = 0, crc, want;

	if ((st = fill(r, SDC_FRAME_HEADER_LEN)) != SDC_READ_FRAME)
		return st;
	if (avail(r) == 0)
		return bad(r, here(r), "truncated stream: no end frame");
	if (avail(r) < SDC_FRAME_HEADER_LEN)
		return bad(r, here(r), "truncated frame");
	if ((st = check_frame_header(r, r->buf + r->start, &len)) !=
	    SDC_READ_FRAME)
		return st;
	if ((st = fill(r, SDC_FRAME_HEADER_LEN + (size_t)len)) !=
	    SDC_READ_FRAME)
		return st;
	if (avail(r) < SDC_FRAME_HEADER_LEN + (size_t)len)
		return bad(r, here(r), "truncated frame");
	h = r->buf + r->start;
	memcpy(&want, h + 5, 4);
	crc = sdc_crc32c(sdc_crc32c(0, h, 5), h + SDC_FRAME_HEADER_LEN, len);
	if (crc != want)
		return bad(r, here(r), "checksum mismatch");
	f->kind = h[0];
	f->bytes = h;
	f->size = SDC_FRAME_HEADER_LEN + (size_t)len;
	f->payload = h + SDC_FRAME_HEADER_LEN;
	f->payload_len = len;
	f->offset = here(r);
	r->start += f->size;
	return SDC_READ_FRAME;
}

enum sdc_read_status
sdc_frame_reader_next(struct sdc_frame_reader *r, struct sdc_frame *f)
{
	enum sdc_read_status st;

	for (;;) {
		if (!r->in_member) {
			if ((st = fill(r, 1)) != SDC_READ_FRAME)
				return st;
			if (avail(r) == 0)
				return SDC_READ_EOF;
			if ((st = stream_header(r)) != SDC_READ_FRAME)
				return st;
			continue;
		}
		if ((st = member_frame(r, f)) != SDC_READ_FRAME)
			return st;
		if (f->kind != SDC_KIND_END) {
			r->member_frames++;
			return SDC_READ_FRAME;
		}
		if ((st = end_frame(r, f)) != SDC_READ_FRAME)
			return st;
	}
}
