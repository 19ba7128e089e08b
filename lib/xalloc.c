#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xalloc.h"
#include "banned.h"

static void *
checked(void *p, size_t n)
{
	if (p == NULL && n != 0)
		sdc_errx(SDC_EXIT_IO, "out of memory (%zu bytes)", n);
	return p;
}

void *
sdc_xmalloc(size_t n)
{
	return checked(malloc(n), n);
}

void *
sdc_xcalloc(size_t n, size_t size)
{
	return checked(calloc(n, size), n * size);
}

void *
sdc_xrealloc(void *p, size_t n)
{
	return checked(realloc(p, n), n);
}

void *
sdc_xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		sdc_errx(SDC_EXIT_IO, "out of memory (%zu x %zu bytes)", n,
		    size);
	return sdc_xrealloc(p, n * size);
}

char *
sdc_xmemdup(const void *p, size_t n)
{
	char *s = sdc_xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
sdc_xstrdup(const char *s)
{
	return sdc_xmemdup(s, strlen(s));
}
