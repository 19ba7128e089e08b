/*
 * Temp files and their atomic rename.  renameat2(RENAME_NOREPLACE)
 * keeps an existing file from being replaced (link(2) and unlink where
 * the file system lacks it), so a name template that repeats itself
 * never overwrites a published file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-publish.h"
#include "xalloc.h"
#include "banned.h"

#define RENAME_TRIES	1000

static int fsync_dir(const char *dir);

/* The directory holding path, synced so that a new entry in it lasts. */
static int
fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int e;

	if (slash == NULL)
		return fsync_dir(".");
	parent = sdc_xmemdup(path, slash == path ? 1 : (size_t)(slash - path));
	e = fsync_dir(parent);
	free(parent);
	return e;
}

static int
mkdir_one(const char *path)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return fsync_parent(path);
	if (errno != EEXIST)
		return errno;
	if (stat(path, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

int
sdc_mkdirs(const char *dir)
{
	char *p = sdc_xstrdup(dir);
	int e = 0;

	for (char *s = p + 1; e == 0 && *s != '\0'; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		e = mkdir_one(p);
		*s = '/';
	}
	if (e == 0 && *p != '\0')
		e = mkdir_one(p);
	free(p);
	return e;
}

char *
sdc_publish_path(const char *dir, const char *name, bool temp)
{
	size_t n = strlen(dir) + strlen(name) + 8;
	char *p = sdc_xmalloc(n);

	snprintf(p, n, "%s/%s%s%s", dir, temp ? "." : "", name,
	    temp ? ".tmp" : "");
	return p;
}

int
sdc_publish_create(const char *dir, const char *name)
{
	char *tmp = sdc_publish_path(dir, name, true);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	int e = errno;

	free(tmp);
	errno = e;
	return fd;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	close(fd);
	return e;
}

/* Rename from to to unless to exists: 0, EEXIST, or another errno. */
static int
rename_new(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
	if (link(from, to) != 0)
		return errno;
	unlink(from);
	return 0;
}

static char *
numbered(const char *dir, const char *name, int n)
{
	size_t len = strlen(dir) + strlen(name) + 16;
	char *p = sdc_xmalloc(len);

	if (n == 0)
		snprintf(p, len, "%s/%s", dir, name);
	else
		snprintf(p, len, "%s/%s-%d", dir, name, n);
	return p;
}

int
sdc_publish(int fd, const char *dir, const char *name, char **path)
{
	char *tmp = sdc_publish_path(dir, name, true);
	int e = fsync(fd) != 0 ? errno : 0;

	if (close(fd) != 0 && e == 0)
		e = errno;
	*path = NULL;
	for (int n = 0; e == 0 && *path == NULL; n++) {
		char *to = numbered(dir, name, n);

		e = n < RENAME_TRIES ? rename_new(tmp, to) : EEXIST;
		if (e == 0)
			*path = to;
		else
			free(to);
		if (e == EEXIST && n < RENAME_TRIES)
			e = 0;
	}
	free(tmp);
	return e != 0 ? e : fsync_dir(dir);
}
