#ifndef SDC_FRAMING_H
#define SDC_FRAMING_H
/*
 * Messages cut out of a byte stream (a TCP connection), a pure decoder
 * with no I/O: the caller hands it what it has buffered and gets the
 * next message, or how many bytes it may drop.  Framings:
 *
 *	line		messages end at a separator (default "\n")
 *	octet-count	RFC 6587 octet counting: "LEN SP MESSAGE", LEN
 *			decimal, 1 to 10 digits, no leading zero
 *	length-prefix	a 4-byte big-endian length, then the message
 *	auto		per message, as RFC 6587 syslog receivers do: a
 *			frame that begins with a digit is octet-counted,
 *			any other is non-transparent (ends at "\n")
 *
 * A message longer than max is refused: its first max bytes are handed
 * out as SDC_FRAMED_TOO_LARGE, and the rest of it is skipped as it
 * comes, so the buffer never holds more than max and a header.  Bad
 * headers (SDC_FRAMED_BAD) leave the stream out of step: the caller
 * ends the connection.  The decoder borrows the separator.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sdc_framing {
	SDC_FRAMING_LINE,
	SDC_FRAMING_OCTET_COUNT,
	SDC_FRAMING_LENGTH_PREFIX,
	SDC_FRAMING_AUTO
};

enum sdc_framed_kind {
	SDC_FRAMED_NEED,	/* more bytes, please (used may be > 0) */
	SDC_FRAMED_MESSAGE,	/* p, n: a whole message */
	SDC_FRAMED_TOO_LARGE,	/* p, n: its first bytes; size: all */
	SDC_FRAMED_BAD		/* reason */
};

struct sdc_framer {
	enum sdc_framing mode;
	const uint8_t	*sep;		/* line: the separator */
	size_t		 sep_len;
	size_t		 max;		/* longest message taken */
	uint64_t	 skip;		/* counted bytes still to drop */
	bool		 skip_line;	/* drop up to the next separator */
};

struct sdc_framed {
	enum sdc_framed_kind kind;
	const uint8_t	*p;		/* inside the buffer given */
	size_t		 n;
	uint64_t	 size;		/* a refused message's, when known */
	size_t		 used;		/* bytes of the buffer consumed */
	const char	*reason;	/* SDC_FRAMED_BAD */
};

/* A framer of mode; sep (line mode) is borrowed, NULL for "\n". */
void	sdc_framer_init(struct sdc_framer *f, enum sdc_framing mode,
	    const uint8_t *sep, size_t sep_len, size_t max);
/*
 * The next frame of buf[0..len).  eof: no more bytes will come, so a
 * last line without its separator is a message, and a counted frame
 * cut short is SDC_FRAMED_BAD.  Drop out->used bytes before the next
 * call, whatever the kind.
 */
void	sdc_framer_next(struct sdc_framer *f, const uint8_t *buf, size_t len,
	    bool eof, struct sdc_framed *out);
/* The framing named, or -1. */
int	sdc_framing_parse(const char *name);

#endif
