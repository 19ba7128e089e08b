#ifndef SDC_FILE_STATE_H
#define SDC_FILE_STATE_H
/*
 * The offsets of the followed files, kept across runs (--state FILE):
 * a line "DEV INODE OFFSET NAME" each, the file replaced whole by a
 * rename, so that a crash leaves the old state or the new one.  Files
 * are known by device and inode, so that one renamed (rotated) while
 * no one watched is still resumed where it was.  The set owns its
 * entries.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sdc_file_offset {
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 offset;
	char		*name;
};

struct sdc_file_state {
	struct sdc_file_offset	*v;
	size_t			 n, cap;
};

void	sdc_file_state_init(struct sdc_file_state *s);
void	sdc_file_state_release(struct sdc_file_state *s);
/* A missing file is an empty state; a bad line is skipped with a warning. */
bool	sdc_file_state_load(struct sdc_file_state *s, const char *path);
bool	sdc_file_state_save(const struct sdc_file_state *s, const char *path);
/* Set (or add) the offset of the file dev:ino, now named name. */
void	sdc_file_state_set(struct sdc_file_state *s, dev_t dev, ino_t ino,
	    uint64_t offset, const char *name);
/* Drop the entries that keep says no to. */
void	sdc_file_state_filter(struct sdc_file_state *s,
	    bool (*keep)(const struct sdc_file_offset *e, void *ctx), void *ctx);
/* The entry of dev:ino, or NULL. */
const struct sdc_file_offset *sdc_file_state_find(
	    const struct sdc_file_state *s, dev_t dev, ino_t ino);

#endif
