/*
 * The file origin's --watch: the files of a directory whose names match
 * --pattern, followed with inotify as tail -F follows a name.  Each
 * complete line appended is a payload; a file renamed away or deleted
 * is read to its end (its last line even without a newline) and let go,
 * one created or renamed in under a followed name is read from its
 * start, and one that shrank (truncated) from its start again.  A file
 * is known by device and inode, so that a rename keeps its offset.
 * While the output is full no file is read; reading resumes where it
 * stopped.  The offsets saved in --state are those whose lines have
 * been written out (at least once: a crash repeats, never skips).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "file-origin.h"
#include "file-state.h"
#include "ingest.h"
#include "loop.h"
#include "xalloc.h"
#include "banned.h"

#define READ_CHUNK	(64u << 10)
#define CHUNKS_A_TURN	16	/* per file, before the others' turn */
#define SAVE_EVERY	1.0	/* seconds */

struct mark {
	uint64_t	offset;		/* lines before it are taken */
	uint64_t	out_end;	/* and are out once this is written */
	bool		set;
};

struct followed {
	struct followed	*next;
	char		*name;		/* in the directory */
	char		*path;
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 offset;	/* where the line being read starts */
	uint64_t	 line_len;	/* bytes of it read so far */
	struct sdc_buf	 line;		/* those bytes, unless skipping */
	bool		 skipping;	/* the line was refused: too long */
	bool		 behind;	/* more to read than was read */
	uint64_t	 safe;		/* offset whose lines are out */
	struct mark	 pend, next_pend;
};

struct sdc_file_watch {
	struct sdc_ingest		*ing;
	const struct sdc_file_opts	*opt;
	int				 ifd;
	struct sdc_watch		*w;
	struct followed			*files;
	struct sdc_file_state		 known;	/* saved, or let go */
	struct sdc_timer		*more, *save;
	uint8_t				*chunk;
	bool				 full, dirty;
};

/* The state file may live in the directory: it and its temporary not. */
static bool
is_state(const struct sdc_file_watch *fw, const char *name)
{
	const char *s = fw->opt->state, *base;
	size_t n;

	if (s == NULL)
		return false;
	base = strrchr(s, '/') != NULL ? strrchr(s, '/') + 1 : s;
	n = strlen(base);
	return strncmp(name, base, n) == 0 &&
	    (name[n] == '\0' || strcmp(name + n, ".tmp") == 0);
}

static bool
matches(const struct sdc_file_watch *fw, const char *name)
{
	return fnmatch(fw->opt->pattern, name, FNM_PERIOD) == 0 &&
	    !is_state(fw, name);
}

static struct followed *
find(struct sdc_file_watch *fw, const char *name)
{
	for (struct followed *f = fw->files; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Where to begin: as saved, else the end of a file there before us. */
static uint64_t
start_offset(struct sdc_file_watch *fw, const struct stat *st,
    const char *path, bool existing)
{
	const struct sdc_file_offset *e = sdc_file_state_find(&fw->known,
	    st->st_dev, st->st_ino);

	if (e != NULL && e->offset <= (uint64_t)st->st_size)
		return e->offset;
	if (e != NULL)
		sdc_warnx("%s: shorter than its saved offset %llu: read from "
		    "its start", path, (unsigned long long)e->offset);
	if (e == NULL && existing && !fw->opt->from_start)
		return (uint64_t)st->st_size;
	return 0;
}

static struct followed *
follow(struct sdc_file_watch *fw, const char *name, bool existing)
{
	char path[4096];
	struct followed *f;
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "%s/%s", fw->opt->watch, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno != ENOENT)
			sdc_warn("%s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	f = sdc_xcalloc(1, sizeof(*f));
	f->name = sdc_xstrdup(name);
	f->path = sdc_xstrdup(path);
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->offset = f->safe = start_offset(fw, &st, path, existing);
	lseek(fd, (off_t)f->offset, SEEK_SET);
	sdc_buf_init(&f->line, fw->ing->opt.max_message);
	f->behind = true;
	f->next = fw->files;
	fw->files = f;
	return f;
}

static void
note_progress(struct sdc_file_watch *fw, struct followed *f)
{
	struct mark m = { f->offset, sdc_loop_output_end(fw->ing->loop), true };

	if (!f->pend.set)
		f->pend = m;
	else
		f->next_pend = m;
}

static void
emit_line(struct sdc_file_watch *fw, struct followed *f, const uint8_t *p,
    size_t n)
{
	char name[4200];
	struct sdc_meta m;

	snprintf(name, sizeof name, "%s@%llu", f->path,
	    (unsigned long long)f->offset);
	sdc_meta_clear(&m);
	sdc_meta_add(&m, "file", f->path);
	sdc_meta_add_u64(&m, "offset", f->offset);
	sdc_meta_add_now(&m);
	sdc_ingest_payload(fw->ing, name, &m, p, n);
}

static void
refuse_line(struct sdc_file_watch *fw, struct followed *f)
{
	char name[4200];
	struct sdc_meta m;

	snprintf(name, sizeof name, "%s@%llu", f->path,
	    (unsigned long long)f->offset);
	sdc_meta_clear(&m);
	sdc_meta_add(&m, "file", f->path);
	sdc_meta_add_u64(&m, "offset", f->offset);
	sdc_ingest_refuse(fw->ing, name, &m, f->line.data, f->line.len,
	    "INGEST_TOO_LARGE", "line longer than %zu bytes (see "
	    "--max-message-size)", fw->ing->opt.max_message);
	sdc_buf_reset(&f->line);
	f->skipping = true;
}

static void
end_line(struct sdc_file_watch *fw, struct followed *f, const uint8_t *p,
    size_t n)
{
	if (!f->skipping && f->line.len == 0)
		emit_line(fw, f, p, n);
	else if (!f->skipping) {
		sdc_buf_append(&f->line, p, n);
		emit_line(fw, f, f->line.data, f->line.len);
	}
	f->offset += f->line_len + n + 1;
	f->line_len = 0;
	f->skipping = false;
	sdc_buf_reset(&f->line);
}

/* The bytes read at the file's position, cut into lines. */
static void
take(struct sdc_file_watch *fw, struct followed *f, const uint8_t *p,
    size_t n)
{
	size_t max = fw->ing->opt.max_message;

	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) : n;

		if (!f->skipping && f->line.len + len > max) {
			sdc_buf_append(&f->line, p, max - f->line.len);
			refuse_line(fw, f);
		}
		if (nl != NULL) {
			end_line(fw, f, p, len);
			len++;
		} else {
			if (!f->skipping)
				sdc_buf_append(&f->line, p, len);
			f->line_len += len;
		}
		p += len;
		n -= len;
	}
	note_progress(fw, f);
}

/* Some of what f has: false when it is at its end (for now). */
static bool
read_some(struct sdc_file_watch *fw, struct followed *f, bool all)
{
	for (int k = 0; all || k < CHUNKS_A_TURN; k++) {
		ssize_t n;

		if (fw->full && !all)
			return true;
		n = read(f->fd, fw->chunk, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sdc_warn("%s", f->path);
			sdc_run_fail(fw->ing->run, SDC_EXIT_IO);
		}
		if (n <= 0)
			return false;
		take(fw, f, fw->chunk, (size_t)n);
	}
	return true;
}

static void
check_truncated(struct followed *f)
{
	struct stat st;

	if (fstat(f->fd, &st) != 0 ||
	    (uint64_t)st.st_size >= f->offset + f->line_len)
		return;
	sdc_warnx("%s: truncated: read again from its start", f->path);
	lseek(f->fd, 0, SEEK_SET);
	f->offset = f->line_len = f->safe = 0;
	f->pend.set = f->next_pend.set = false;
	f->skipping = false;
	sdc_buf_reset(&f->line);
}

static void
schedule(struct sdc_file_watch *fw, struct followed *f)
{
	f->behind = true;
	if (!fw->full)
		sdc_loop_timer_arm(fw->more, 0);
}

/* Renamed away or deleted: its end, its last line, then let go. */
static void
let_go(struct sdc_file_watch *fw, struct followed *f)
{
	struct followed **pp = &fw->files;

	read_some(fw, f, true);
	if (f->line_len > 0 && !f->skipping)
		emit_line(fw, f, f->line.data, f->line.len);
	if (f->line_len > 0)
		f->offset += f->line_len;
	sdc_file_state_set(&fw->known, f->dev, f->ino, f->offset, f->name);
	fw->dirty = true;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	close(f->fd);
	sdc_buf_release(&f->line);
	free(f->name);
	free(f->path);
	free(f);
}

static void
on_name(struct sdc_file_watch *fw, const struct inotify_event *ev)
{
	struct followed *f = find(fw, ev->name);

	if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
		if (f != NULL)
			let_go(fw, f);
		return;
	}
	if (ev->mask & (IN_CREATE | IN_MOVED_TO) && f != NULL) {
		let_go(fw, f);
		f = NULL;
	}
	if (f == NULL && (f = follow(fw, ev->name, false)) == NULL)
		return;
	check_truncated(f);
	schedule(fw, f);
}

static void
scan(struct sdc_file_watch *fw, bool existing)
{
	DIR *d = opendir(fw->opt->watch);
	struct dirent *de;

	if (d == NULL)
		sdc_err(SDC_EXIT_IO, "%s", fw->opt->watch);
	while ((de = readdir(d)) != NULL)
		if (matches(fw, de->d_name) && find(fw, de->d_name) == NULL)
			follow(fw, de->d_name, existing);
	closedir(d);
	sdc_loop_timer_arm(fw->more, 0);
}

static void
on_inotify(void *ctx, int fd, unsigned events)
{
	struct sdc_file_watch *fw = ctx;
	char buf[16384] __attribute__((aligned(8)));
	ssize_t n = read(fd, buf, sizeof buf);

	(void)events;
	for (ssize_t i = 0; i < n;) {
		const struct inotify_event *ev = (const void *)(buf + i);

		i += (ssize_t)(sizeof(*ev) + ev->len);
		if (ev->mask & IN_Q_OVERFLOW)
			scan(fw, false);
		else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
			sdc_warnx("%s: the directory went away",
			    fw->opt->watch);
		else if (ev->len > 0 && matches(fw, ev->name))
			on_name(fw, ev);
	}
}

/* The files' turns: each reads some, while the output takes it. */
static void
read_more(void *ctx)
{
	struct sdc_file_watch *fw = ctx;
	bool left = false;

	for (struct followed *f = fw->files; f != NULL; f = f->next) {
		if (f->behind && !fw->full)
			f->behind = read_some(fw, f, false);
		left = left || f->behind;
	}
	if (left && !fw->full)
		sdc_loop_timer_arm(fw->more, 0);
}

static void
on_pressure(void *ctx, bool full)
{
	struct sdc_file_watch *fw = ctx;

	fw->full = full;
	if (!full)
		sdc_loop_timer_arm(fw->more, 0);
}

static void
on_written(void *ctx, uint64_t written)
{
	struct sdc_file_watch *fw = ctx;

	for (struct followed *f = fw->files; f != NULL; f = f->next) {
		if (!f->pend.set || written < f->pend.out_end)
			continue;
		f->safe = f->pend.offset;
		f->pend = f->next_pend;
		f->next_pend.set = false;
		if (f->pend.set && written >= f->pend.out_end) {
			f->safe = f->pend.offset;
			f->pend.set = false;
		}
		fw->dirty = true;
	}
}

/*
 * An entry is kept while its file is followed or still there under its
 * name, so that the state does not grow with every rotation.
 */
static bool
still_there(const struct sdc_file_offset *e, void *ctx)
{
	struct sdc_file_watch *fw = ctx;
	char path[4096];
	struct stat st;

	for (struct followed *f = fw->files; f != NULL; f = f->next)
		if (f->dev == e->dev && f->ino == e->ino)
			return true;
	snprintf(path, sizeof path, "%s/%s", fw->opt->watch, e->name);
	return stat(path, &st) == 0 && st.st_dev == e->dev &&
	    st.st_ino == e->ino;
}

static void
save_state(struct sdc_file_watch *fw)
{
	for (struct followed *f = fw->files; f != NULL; f = f->next)
		sdc_file_state_set(&fw->known, f->dev, f->ino, f->safe,
		    f->name);
	sdc_file_state_filter(&fw->known, still_there, fw);
	if (fw->opt->state != NULL && !fw->ing->run->opt.dry_run &&
	    !sdc_file_state_save(&fw->known, fw->opt->state))
		sdc_run_fail(fw->ing->run, SDC_EXIT_IO);
	fw->dirty = false;
}

static void
save_now_and_then(void *ctx)
{
	struct sdc_file_watch *fw = ctx;

	if (fw->dirty)
		save_state(fw);
	sdc_loop_timer_arm(fw->save, SAVE_EVERY);
}

static void
watch_dir(struct sdc_file_watch *fw)
{
	uint32_t mask = IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO |
	    IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;

	fw->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fw->ifd < 0)
		sdc_err(SDC_EXIT_IO, "inotify");
	if (inotify_add_watch(fw->ifd, fw->opt->watch, mask) < 0)
		sdc_err(SDC_EXIT_IO, "%s", fw->opt->watch);
	fw->w = sdc_loop_watch(fw->ing->loop, fw->ifd, SDC_LOOP_READ,
	    on_inotify, fw);
}

struct sdc_file_watch *
sdc_file_watch_start(struct sdc_ingest *ing, const struct sdc_file_opts *opt)
{
	struct sdc_file_watch *fw = sdc_xcalloc(1, sizeof(*fw));

	fw->ing = ing;
	fw->opt = opt;
	fw->chunk = sdc_xmalloc(READ_CHUNK);
	sdc_file_state_init(&fw->known);
	if (opt->state != NULL && !sdc_file_state_load(&fw->known, opt->state))
		sdc_err(SDC_EXIT_IO, "%s", opt->state);
	fw->more = sdc_loop_timer(ing->loop, read_more, fw);
	fw->save = sdc_loop_timer(ing->loop, save_now_and_then, fw);
	watch_dir(fw);
	scan(fw, true);
	sdc_loop_timer_arm(fw->save, SAVE_EVERY);
	sdc_loop_on_pressure(ing->loop, on_pressure, fw);
	sdc_loop_on_written(ing->loop, on_written, fw);
	return fw;
}

/* Everything taken is written first, so that every offset is safe. */
void
sdc_file_watch_stop(struct sdc_file_watch *fw)
{
	if (fw == NULL)
		return;
	sdc_loop_drain(fw->ing->loop);
	for (struct followed *f = fw->files; f != NULL; f = f->next)
		f->safe = f->offset;
	save_state(fw);
	while (fw->files != NULL) {
		struct followed *f = fw->files;

		fw->files = f->next;
		close(f->fd);
		sdc_buf_release(&f->line);
		free(f->name);
		free(f->path);
		free(f);
	}
	sdc_loop_forget(fw->ing->loop, fw);
	sdc_loop_unwatch(fw->w);
	close(fw->ifd);
	sdc_loop_timer_free(fw->more);
	sdc_loop_timer_free(fw->save);
	sdc_file_state_release(&fw->known);
	free(fw->chunk);
	free(fw);
}
