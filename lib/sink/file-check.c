/*
 * --check of the file destination: the fixed start of the directory
 * template must be a writable directory, or be creatable under one;
 * proved by creating and removing a probe file, writing no record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "file-sink.h"
#include "xalloc.h"
#include "banned.h"

char *
sdc_file_base_dir(const char *template)
{
	size_t fixed = strcspn(template, "%$");
	char *base = sdc_xmemdup(template, fixed), *slash;

	if (template[fixed] == '\0')
		return base;
	slash = strrchr(base, '/');
	if (slash == NULL) {
		free(base);
		return sdc_xstrdup(".");
	}
	slash[slash == base] = '\0';
	return base;
}

/* The nearest of dir and its parents that exists (dir is shortened). */
static int
nearest_existing(char *dir, struct stat *st)
{
	for (;;) {
		char *slash;

		if (stat(dir, st) == 0)
			return 0;
		if (errno != ENOENT)
			return errno;
		slash = strrchr(dir, '/');
		if (slash == NULL) {
			dir[0] = '.';
			dir[1] = '\0';
		} else {
			slash[slash == dir] = '\0';
		}
	}
}

/* Create and remove a file in dir: 0 or errno. */
static int
probe(const char *dir, const char *base)
{
	size_t n = strlen(dir) + 32;
	char *path = sdc_xmalloc(n);
	int fd, e;

	snprintf(path, n, "%s/.sdc-sink-check.XXXXXX", dir);
	fd = mkstemp(path);
	e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(path);
	if (fd < 0)
		return e;
	if (strcmp(dir, base) == 0)
		sdc_warnx("file: %s: a writable directory", base);
	else
		sdc_warnx("file: %s: does not exist yet; would be made under "
		    "%s, a writable directory", base, dir);
	return 0;
}

static void
check_one(const char *template)
{
	char *base = sdc_file_base_dir(template);
	char *dir = sdc_xmalloc(strlen(base) + 2);
	struct stat st;
	int e;

	memcpy(dir, base, strlen(base) + 1);
	if (*dir == '\0')
		memcpy(dir, ".", 2);
	e = nearest_existing(dir, &st);
	if (e == 0 && !S_ISDIR(st.st_mode))
		e = ENOTDIR;
	if (e == 0)
		e = probe(dir, *base == '\0' ? "." : base);
	free(base);
	if (e != 0) {
		sdc_warnx("file: %s: %s", dir, strerror(e));
		free(dir);
		sdc_exit(SDC_EXIT_IO);
	}
	free(dir);
}

void
sdc_file_check(const struct file_opts *o)
{
	check_one(o->directory);
	if (o->late_directory != NULL)
		check_one(o->late_directory);
}
