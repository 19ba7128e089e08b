/*
 * The blocks of a container file compressed on a thread of their own,
 * so that encoding the next block and compressing this one overlap:
 * with deflate, compressing is most of the writer's time.  One block at
 * a time is in the packer's hands; the writer gets it back, packed, in
 * the order it handed them over, and writes it itself.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avro-format.h"
#include "diag.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_avro_packer {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	enum sdc_avro_codec	 codec;
	struct sdc_buf		 in, out;	/* the block, packed */
	uint64_t		 count;		/* its records */
	const char		*why;		/* why it could not be */
	bool			 queued, done, stop;
};

static void *
pack_loop(void *arg)
{
	struct sdc_avro_packer *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->queued && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->queued)
			break;
		pthread_mutex_unlock(&p->mu);
		p->why = sdc_avro_compress(p->codec, p->in.data, p->in.len,
		    &p->out);
		pthread_mutex_lock(&p->mu);
		p->queued = false;
		p->done = true;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct sdc_avro_packer *
sdc_avro_packer_new(enum sdc_avro_codec codec, size_t max)
{
	struct sdc_avro_packer *p = sdc_xcalloc(1, sizeof *p);

	p->codec = codec;
	sdc_buf_init(&p->in, max);
	sdc_buf_init(&p->out, max * 2);
	sdc_buf_reserve(&p->in, 1);
	sdc_buf_reserve(&p->out, 1);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, pack_loop, p) != 0)
		sdc_errx(SDC_EXIT_IO, "avro: cannot start the compressing "
		    "thread");
	return p;
}

/* Wait for the block in hand: true and it in *out when there was one. */
bool
sdc_avro_packer_take(struct sdc_avro_packer *p, const struct sdc_buf **out,
    uint64_t *count)
{
	bool had;

	pthread_mutex_lock(&p->mu);
	while (p->queued)
		pthread_cond_wait(&p->cv, &p->mu);
	had = p->done;
	p->done = false;
	pthread_mutex_unlock(&p->mu);
	if (had && p->why != NULL)
		sdc_errx(SDC_EXIT_IO, "avro: %s", p->why);
	*out = &p->out;
	*count = p->count;
	return had;
}

/*
 * Hand over block, of count records, to be packed; the caller has taken
 * the previous one.  block gets the packer's empty buffer in exchange.
 */
void
sdc_avro_packer_give(struct sdc_avro_packer *p, struct sdc_buf *block,
    uint64_t count)
{
	struct sdc_buf spare;

	pthread_mutex_lock(&p->mu);
	spare = p->in;
	p->in = *block;
	*block = spare;
	sdc_buf_reset(block);
	p->count = count;
	p->queued = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
sdc_avro_packer_free(struct sdc_avro_packer *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	sdc_buf_release(&p->in);
	sdc_buf_release(&p->out);
	free(p);
}
