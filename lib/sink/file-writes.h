#ifndef SDC_FILE_WRITES_H
#define SDC_FILE_WRITES_H
/*
 * A file's writes done by one thread of the process, so that the copy
 * into the kernel and the start of the disk's writing (sync_file_range)
 * overlap with rendering and compressing what comes next.  A file has
 * two buffers of SDC_WRITES_BUFFER bytes: one filling, the other being
 * written; its writes are done in the order they were handed over.
 */
#include <stddef.h>
#include <stdint.h>

#define SDC_WRITES_BUFFER	(256u << 10)

struct sdc_writes;

struct sdc_writes *sdc_writes_new(int fd);
/*
 * Hand over the first n bytes of buf (a buffer this gave, or one of
 * SDC_WRITES_BUFFER bytes from malloc), to be written after those handed
 * before: the buffer to fill next, once it is free.  After a write
 * failed nothing more is written.
 */
uint8_t	*sdc_writes_put(struct sdc_writes *w, uint8_t *buf, size_t n);
/* The errno of the first write that failed, 0 while none has. */
int	 sdc_writes_error(struct sdc_writes *w);
/* Wait until all that was handed over is written: 0 or its errno. */
int	 sdc_writes_wait(struct sdc_writes *w);
/* The bytes written, once what was handed over is. */
uint64_t sdc_writes_done(struct sdc_writes *w);
/* Wait for the writes, then free; the descriptor stays open. */
void	 sdc_writes_free(struct sdc_writes *w);

#endif
