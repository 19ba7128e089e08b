#include <string.h>

#include "window.h"
#include "banned.h"

#define WINDOW_CHUNK	((size_t)64 << 10)

void
sdc_window_init(struct sdc_window *w, struct sdc_run *run,
    struct sdc_input *in, size_t lookahead)
{
	memset(w, 0, sizeof *w);
	w->run = run;
	w->in = in;
	sdc_buf_init(&w->buf, lookahead + WINDOW_CHUNK);
}

void
sdc_window_release(struct sdc_window *w)
{
	sdc_buf_release(&w->buf);
}

/* Move what is left to the front, then read until want bytes are in. */
static void
fill(struct sdc_window *w, size_t want)
{
	if (w->pos > 0) {
		memmove(w->buf.data, w->buf.data + w->pos,
		    w->buf.len - w->pos);
		w->buf.len -= w->pos;
		w->base += w->pos;
		w->pos = 0;
	}
	while (w->buf.len < want && !w->eof) {
		size_t room = w->buf.max - w->buf.len;
		ssize_t got;

		room = room < WINDOW_CHUNK ? room : WINDOW_CHUNK;
		if (room == 0 || !sdc_buf_reserve(&w->buf, room))
			break;
		got = sdc_input_read(w->in, w->buf.data + w->buf.len, room);
		if (got < 0) {
			sdc_run_input_error(w->run, w->in);
			w->failed = true;
		}
		w->eof = got <= 0;
		if (got > 0)
			w->buf.len += (size_t)got;
	}
}

const uint8_t *
sdc_window_peek(struct sdc_window *w, size_t want, size_t *have)
{
	static const uint8_t none[1];

	if (w->in->fd < 0) {
		*have = w->in->mem_len - w->pos;
		return w->in->mem != NULL ? w->in->mem + w->pos : none;
	}
	if (w->buf.len - w->pos < want)
		fill(w, want);
	*have = w->buf.len - w->pos;
	return w->buf.data + w->pos;
}

void
sdc_window_skip(struct sdc_window *w, size_t n)
{
	w->pos += n;
	if (w->in->fd < 0)
		w->in->offset = w->pos;	/* read where they are */
}

uint64_t
sdc_window_offset(const struct sdc_window *w)
{
	return w->base + w->pos;
}
