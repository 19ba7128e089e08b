#ifndef SDC_FILE_H
#define SDC_FILE_H
/*
 * Small files read whole: schemas, pattern libraries, descriptors.
 */
#include <stddef.h>

/*
 * The bytes of the file at path, NUL-terminated (the NUL not counted in
 * *len), or NULL with errno set when it cannot be read or is larger
 * than max bytes (EFBIG).  The caller frees it.
 */
char	*sdc_file_read(const char *path, size_t max, size_t *len);

#endif
