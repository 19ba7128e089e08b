#ifndef SDC_FILE_PUBLISH_H
#define SDC_FILE_PUBLISH_H
/*
 * Atomic publication of a file: it is written as ".NAME.tmp" in its
 * directory, and only once complete is it fsynced, renamed to NAME
 * (never over a file already there) and its directory fsynced, so that
 * a reader, a crash or a full disk never sees a half-written NAME.
 * Paths are the caller's; what is returned is owned by the caller.
 */
#include <stdbool.h>
#include <stddef.h>

/*
 * mkdir -p, each directory made synced into its parent: 0, or the
 * errno of the component that failed.
 */
int	sdc_mkdirs(const char *dir);
/* dir "/" name, or dir "/." name ".tmp", newly allocated. */
char	*sdc_publish_path(const char *dir, const char *name, bool temp);
/*
 * Create dir's temp file for name (dir must exist): its fd, or -1 with
 * errno set (EEXIST when another writer has it).
 */
int	sdc_publish_create(const char *dir, const char *name);
/*
 * fsync fd and close it, then rename the temp file of name in dir to
 * name, or to "NAME-1", "NAME-2"... when NAME exists, and fsync dir.
 * 0 and the path published in *path (the caller frees it), or an errno.
 */
int	sdc_publish(int fd, const char *dir, const char *name, char **path);

#endif
