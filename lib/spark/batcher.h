#ifndef SDC_SPARK_BATCHER_H
#define SDC_SPARK_BATCHER_H
/*
 * The records of a stream cut into batches, each sent to a backend (the
 * Spark driver, or the service of the cluster mode) and its results
 * taken back, in batch order.  A backend that can take a batch while
 * another is out (max_in_flight 2) gets the next one as soon as it is
 * cut, so that it works on one while the other's output is made; the
 * results of the older are then taken before more input is read, and
 * while input is awaited, as soon as they come.  A batch ends at
 * a batch frame of the input, at its size limit, when its first record
 * has waited long enough, or at SDC_SPARK_MAX_BATCH_BYTES.  A data
 * record that does not decode is rejected (SDC_BAD_FRAME) instead of
 * batched, and one not in the canonical encoding goes in re-encoded.
 * Frames other than data go on untouched, ahead of the results of the
 * batch they came in.  Results come back as the driver writes them: data
 * frames, error frames (SPARK_ERROR_RECORD, or one SPARK_BATCH_FAILED
 * that fails the whole batch) and a batch frame.  The batcher owns its
 * buffers; the backend's ctx stays the caller's.
 */
#include "buf.h"
#include "frame-reader.h"
#include "run.h"

struct sdc_spark_backend {
	void	*ctx;
	/* One batch: whole data frames; the backend ends it. */
	void	(*send)(void *ctx, const void *frames, size_t len,
		    unsigned long records);
	/* The next result frame, valid until the next call. */
	void	(*next)(void *ctx, struct sdc_frame *f);
	/*
	 * watch_fd, when not -1, is watched while input is awaited, and
	 * watch called when it is readable: the link may have gone.
	 */
	int	 watch_fd;
	void	(*watch)(void *ctx);
	/*
	 * Batches out at once, at most: 0 or 1, one at a time.  Above 1,
	 * results_fd gives what is polled for their results, once
	 * results_buffered (results read and not yet taken) is false.
	 */
	unsigned	 max_in_flight;
	int		(*results_fd)(void *ctx);
	bool		(*results_buffered)(void *ctx);
};

#define SDC_SPARK_MAX_IN_FLIGHT	2

/* A batch sent: its frames, for failing it, and what came with it. */
struct sdc_spark_sent {
	struct sdc_buf		 batch;
	struct sdc_buf		 passing;
};

struct sdc_spark_batcher {
	struct sdc_run			*run;
	struct sdc_spark_backend	 be;
	unsigned long			 batch_size;	/* records */
	double				 batch_seconds;	/* 0: no limit */
	/* The batch being read: its data frames and the other frames. */
	struct sdc_buf			 batch;
	unsigned long			 records;
	double				 first_at;	/* uptime */
	struct sdc_buf			 passing;
	/* Batches sent, the oldest first, not all results back. */
	struct sdc_spark_sent		 sent[SDC_SPARK_MAX_IN_FLIGHT];
	unsigned			 in_flight;
	struct sdc_buf			 canonical;	/* a record's frame */
	struct sdc_record		 scratch;
};

void	sdc_spark_batcher_init(struct sdc_spark_batcher *b,
	    struct sdc_run *run, const struct sdc_spark_backend *be,
	    unsigned long batch_size, double batch_seconds);
void	sdc_spark_batcher_release(struct sdc_spark_batcher *b);
/* Read the stream at path ("-": stdin); batches go on across inputs. */
void	sdc_spark_batcher_read(struct sdc_spark_batcher *b, const char *path);
/* The results of the batches in flight, then what was read, as a batch. */
void	sdc_spark_batcher_finish(struct sdc_spark_batcher *b);

#endif
