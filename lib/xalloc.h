#ifndef SDC_XALLOC_H
#define SDC_XALLOC_H
/* Allocation that never fails: on exhaustion it reports and exits (status 3). */
#include <stddef.h>

void	*sdc_xmalloc(size_t n);
void	*sdc_xcalloc(size_t n, size_t size);
void	*sdc_xrealloc(void *p, size_t n);
void	*sdc_xreallocarray(void *p, size_t n, size_t size);
char	*sdc_xstrdup(const char *s);
char	*sdc_xmemdup(const void *p, size_t n);	/* NUL-terminated copy */

#endif
