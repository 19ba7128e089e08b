#ifndef SDC_SECRET_H
#define SDC_SECRET_H
/*
 * Secrets (keys, shared passwords) from a file or the environment,
 * never from the command line, where other users could read them.  A
 * secret owns its bytes and wipes them when released.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sdc_secret {
	uint8_t	*data;
	size_t	 len;
};

/*
 * The secret in the file at path (less one final newline), else in the
 * environment variable env, its bytes followed by a NUL.  None, or an empty one, is a usage error,
 * "no what: file_option FILE or env"; a file that cannot be read ends
 * the program with status 3.
 */
void	sdc_secret_load(struct sdc_secret *s, const char *path,
	    const char *env, const char *what, const char *file_option);
/* The same when a file or the variable is given; false when neither. */
bool	sdc_secret_load_if_any(struct sdc_secret *s, const char *path,
	    const char *env, const char *what, const char *file_option);
void	sdc_secret_release(struct sdc_secret *s);

#endif
