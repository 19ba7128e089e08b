/* The offsets of followed files across runs: see file-state.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "file-state.h"
#include "xalloc.h"
#include "banned.h"

void
sdc_file_state_init(struct sdc_file_state *s)
{
	memset(s, 0, sizeof(*s));
}

void
sdc_file_state_release(struct sdc_file_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const struct sdc_file_offset *
sdc_file_state_find(const struct sdc_file_state *s, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return &s->v[i];
	return NULL;
}

void
sdc_file_state_set(struct sdc_file_state *s, dev_t dev, ino_t ino,
    uint64_t offset, const char *name)
{
	struct sdc_file_offset *e =
	    (struct sdc_file_offset *)sdc_file_state_find(s, dev, ino);

	if (e == NULL) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8;
			s->v = sdc_xreallocarray(s->v, s->cap, sizeof(*s->v));
		}
		e = &s->v[s->n++];
		e->dev = dev;
		e->ino = ino;
		e->name = NULL;
	}
	e->offset = offset;
	if (e->name == NULL || strcmp(e->name, name) != 0) {
		free(e->name);
		e->name = sdc_xstrdup(name);
	}
}

void
sdc_file_state_filter(struct sdc_file_state *s,
    bool (*keep)(const struct sdc_file_offset *e, void *ctx), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (keep(&s->v[i], ctx))
			s->v[n++] = s->v[i];
		else
			free(s->v[i].name);
	}
	s->n = n;
}

static bool
load_line(struct sdc_file_state *s, const char *line)
{
	uintmax_t dev, ino, offset;
	int used = 0;

	if (sscanf(line, "%ju %ju %ju %n", &dev, &ino, &offset, &used) != 3 ||
	    used == 0 || line[used] == '\0')
		return false;
	sdc_file_state_set(s, (dev_t)dev, (ino_t)ino, offset, line + used);
	return true;
}

bool
sdc_file_state_load(struct sdc_file_state *s, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[4352];
	unsigned long n = 0;

	if (fp == NULL)
		return errno == ENOENT;
	while (fgets(line, sizeof line, fp) != NULL) {
		n++;
		line[strcspn(line, "\n")] = '\0';
		if (!load_line(s, line))
			sdc_warnx("%s:%lu: not DEV INODE OFFSET NAME, skipped",
			    path, n);
	}
	fclose(fp);
	return true;
}

bool
sdc_file_state_save(const struct sdc_file_state *s, const char *path)
{
	char tmp[4096];
	FILE *fp;
	bool ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		sdc_warn("%s", tmp);
		return false;
	}
	ok = true;
	for (size_t i = 0; i < s->n && ok; i++)
		ok = fprintf(fp, "%ju %ju %ju %s\n", (uintmax_t)s->v[i].dev,
		    (uintmax_t)s->v[i].ino, (uintmax_t)s->v[i].offset,
		    s->v[i].name) > 0;
	ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0 && ok;
	if (fclose(fp) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		sdc_warn("%s", path);
		remove(tmp);
		return false;
	}
	return true;
}
