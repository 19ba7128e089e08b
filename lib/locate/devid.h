#ifndef SDC_LOCATE_DEVID_H
#define SDC_LOCATE_DEVID_H
/*
 * Device ids as HMAC-SHA256 under a key that never leaves the process,
 * so that nothing downstream (records, the state file) holds the MAC
 * address or id a sensor saw; and the locally administered bit that
 * marks a randomised MAC.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDC_DEVID_LEN	32
#define SDC_DEVID_HEX	(2 * SDC_DEVID_LEN)

struct sdc_devid {
	void	*inner, *outer, *work;	/* EVP_MD_CTX: the padded key hashed */
};

void	sdc_devid_init(struct sdc_devid *d, const uint8_t *key, size_t len);
void	sdc_devid_release(struct sdc_devid *d);
void	sdc_devid_hash(struct sdc_devid *d, const void *id, size_t len,
	    uint8_t out[SDC_DEVID_LEN]);
void	sdc_devid_hex(const uint8_t id[SDC_DEVID_LEN], char hex[SDC_DEVID_HEX]);
bool	sdc_devid_from_hex(const char *hex, size_t len,
	    uint8_t id[SDC_DEVID_LEN]);
/*
 * 1 when id is a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff
 * or 12 hex digits) with the locally administered bit set, 0 when it is
 * one without, -1 when it is not a MAC address.
 */
int	sdc_mac_is_random(const char *id, size_t len);

#endif
