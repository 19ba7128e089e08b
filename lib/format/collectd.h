#ifndef SDC_COLLECTD_H
#define SDC_COLLECTD_H
/*
 * Private to the collectd format: its options, the types.db and auth
 * files they load (owned by the options block), the reader, and the
 * cryptography of signed and encrypted parts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* One line of types.db: a type and the names of its data sources. */
struct sdc_cd_type {
	char		 *name;
	char		**ds;
	size_t		  nds;
};

struct sdc_cd_types {
	struct sdc_cd_type	*v;	/* sorted by name */
	size_t			 n;
};

struct sdc_cd_user {
	char	*name;
	char	*password;
};

struct sdc_cd_auth {
	struct sdc_cd_user	*v;
	size_t			 n;
};

enum sdc_cd_level {
	SDC_CD_NONE,		/* any part is taken */
	SDC_CD_SIGN,		/* only signed or encrypted ones */
	SDC_CD_ENCRYPT		/* only encrypted ones */
};

struct sdc_cd_opts {
	struct sdc_cd_types	 types;
	struct sdc_cd_auth	 auth;
	bool			 convert_time;
	bool			 exclude_interval;
	enum sdc_cd_level	 level;
};

/* Load a file into the options: false with the reason in err. */
bool	sdc_cd_types_load(struct sdc_cd_types *t, const char *path,
	    char *err, size_t errlen);
void	sdc_cd_types_release(struct sdc_cd_types *t);
const struct sdc_cd_type *sdc_cd_types_find(const struct sdc_cd_types *t,
	    const char *name);
bool	sdc_cd_auth_load(struct sdc_cd_auth *a, const char *path,
	    char *err, size_t errlen);
void	sdc_cd_auth_release(struct sdc_cd_auth *a);
const char *sdc_cd_auth_password(const struct sdc_cd_auth *a,
	    const char *user, size_t len);

void	sdc_collectd_read(struct sdc_run *run, struct sdc_input *in,
	    const void *opts);

/* HMAC-SHA256 of p[0..n) keyed by password equals mac[0..32). */
bool	sdc_cd_verify(const char *password, const uint8_t *p, size_t n,
	    const uint8_t *mac);
/*
 * Decrypt n bytes with AES-256-OFB under SHA-256(password) and iv into
 * out, and check the SHA-1 of the plaintext after its first 20 bytes
 * against those bytes.
 */
bool	sdc_cd_decrypt(const char *password, const uint8_t *iv,
	    const uint8_t *p, size_t n, uint8_t *out);

#endif
