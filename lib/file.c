#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"
#include "file.h"
#include "xalloc.h"

static char *
read_all(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p = sdc_xmalloc(cap + 1);

	for (;;) {
		ssize_t k;

		if (n == cap) {
			if (cap > max) {
				free(p);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			p = sdc_xrealloc(p, cap + 1);
		}
		if ((k = read(fd, p + n, cap - n)) < 0) {
			if (errno == EINTR)
				continue;
			free(p);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > max) {
		free(p);
		errno = EFBIG;
		return NULL;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

char *
sdc_file_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *p;
	int saved;

	if (fd < 0)
		return NULL;
	p = read_all(fd, max, len);
	saved = errno;
	close(fd);
	errno = saved;
	return p;
}
