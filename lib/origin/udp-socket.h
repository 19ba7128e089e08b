#ifndef SDC_UDP_SOCKET_H
#define SDC_UDP_SOCKET_H
/*
 * UDP sockets of the udp origin: bound with a large receive buffer and,
 * for several sockets on one port, SO_REUSEPORT; read a batch of
 * datagrams per system call (recvmmsg); and the datagrams the kernel
 * dropped because the buffer was full, which UDP cannot push back on,
 * counted from SO_RXQ_OVFL on each batch and from SO_MEMINFO.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net.h"

#define SDC_UDP_BATCH		64	/* datagrams per recvmmsg */
#define SDC_UDP_MAX_DATAGRAM	65535

struct sdc_udp_socket {
	int		 fd;
	int		 rcvbuf;	/* what the kernel granted, bytes */
	uint64_t	 drops;		/* kernel drops seen so far */
	uint32_t	 last_ovfl;	/* the last SO_RXQ_OVFL value */
};

struct sdc_udp_datagram {
	const uint8_t	*data;
	size_t		 len;
	bool		 truncated;	/* longer than the slot */
	struct sockaddr_storage peer;
};

/* Room for one batch: SDC_UDP_BATCH slots of max_datagram bytes. */
struct sdc_udp_batch {
	size_t		 slot_size;
	uint8_t		*bufs;
	void		*msgs;		/* struct mmsghdr[SDC_UDP_BATCH] */
	void		*iovs;
	void		*controls;
	struct sdc_udp_datagram got[SDC_UDP_BATCH];
	unsigned	 n;
};

/*
 * A non-blocking socket bound to a, asking for rcvbuf bytes of receive
 * buffer (0: the system's default; above the system's limit it tries
 * SO_RCVBUFFORCE, then takes what it gets), SO_REUSEPORT when reuseport.
 * -1 with a message naming the address in err.
 */
int	sdc_udp_open(struct sdc_udp_socket *s, const struct sdc_net_addr *a,
	    int rcvbuf, bool reuseport, char *err, size_t len);
void	sdc_udp_close(struct sdc_udp_socket *s);

void	sdc_udp_batch_init(struct sdc_udp_batch *b, size_t max_datagram);
void	sdc_udp_batch_release(struct sdc_udp_batch *b);
/*
 * Read what is waiting, up to a batch, into b->got[0..b->n): the count,
 * 0 when nothing waits, -1 with errno on an error.  The datagrams are
 * valid until the next call.
 */
int	sdc_udp_receive(struct sdc_udp_socket *s, struct sdc_udp_batch *b);
/* The drops the kernel counts for the socket now (SO_MEMINFO). */
uint64_t sdc_udp_kernel_drops(struct sdc_udp_socket *s);
/* "127.0.0.1" and the port of a datagram's sender. */
void	sdc_udp_peer(const struct sdc_udp_datagram *d, char *host,
	    size_t hostlen, unsigned *port);

#endif
