/*
 * One object of the s3 destination: its records rendered, spooled into
 * part files of --part-size, and uploaded by one PUT when it has a
 * single part, else by a multipart upload (initiate, a PUT per part,
 * complete).  The part files stay until the upload completed or was
 * given up (then aborted, and each record's bytes, read back from the
 * spool, failed with the reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "s3-sink.h"
#include "xalloc.h"
#include "banned.h"

#define OBJECT_HEADERS_MAX	4

static bool settle(struct s3_objects *os);

struct s3_object *
s3_object_new(struct s3_objects *os, const char *partition, const char *key)
{
	struct s3_object *o = sdc_xcalloc(1, sizeof *o);

	o->partition = sdc_xstrdup(partition);
	o->key = sdc_xstrdup(key);
	o->rd = sdc_render_new(os->s);
	o->opened = sdc_uptime();
	o->fd = -1;
	return o;
}

void
s3_object_free(struct s3_object *o)
{
	for (size_t i = 0; i < o->nparts; i++) {
		if (o->parts[i].path != NULL)
			unlink(o->parts[i].path);
		free(o->parts[i].path);
	}
	if (o->fd >= 0)
		close(o->fd);
	EVP_MD_CTX_free(o->md);
	sdc_render_free(o->rd);
	free(o->parts);
	free(o->ends);
	free(o->upload_id);
	free(o->partition);
	free(o->key);
	free(o);
}

/* The headers an object is made with: type, encryption, storage class. */
static size_t
object_headers(const struct s3_opts *op, struct sdc_sigv4_pair *h)
{
	size_t n = 0;

	if (op->content_type != NULL)
		h[n++] = (struct sdc_sigv4_pair){ "content-type",
		    op->content_type };
	if (op->sse != NULL)
		h[n++] = (struct sdc_sigv4_pair){
		    "x-amz-server-side-encryption", op->sse };
	if (op->sse_kms_key_id != NULL)
		h[n++] = (struct sdc_sigv4_pair){
		    "x-amz-server-side-encryption-aws-kms-key-id",
		    op->sse_kms_key_id };
	if (op->storage_class != NULL)
		h[n++] = (struct sdc_sigv4_pair){ "x-amz-storage-class",
		    op->storage_class };
	return n;
}

/* ------------------------------------------------------- failing it all */

/* Bytes [from, to) of the object, from its part files and render. */
static bool
read_range(const struct s3_object *o, uint64_t from, uint64_t to,
    uint8_t *dst)
{
	uint64_t base = 0;
	size_t pending;
	const uint8_t *p = sdc_render_bytes(o->rd, &pending);

	for (size_t i = 0; i < o->nparts && from < to; i++) {
		const struct s3_part *pt = &o->parts[i];
		int fd;

		if (from < base + pt->len) {
			uint64_t n = (to < base + pt->len ? to : base +
			    pt->len) - from;

			fd = open(pt->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || pread(fd, dst, n, (off_t)(from - base)) !=
			    (ssize_t)n) {
				if (fd >= 0)
					close(fd);
				return false;
			}
			close(fd);
			dst += n;
			from += n;
		}
		base += pt->len;
	}
	if (from < to && to - o->spooled <= pending)
		memcpy(dst, p + (from - o->spooled), to - from);
	return from >= to || to - o->spooled <= pending;
}

/* Every record of o failed with why, its own bytes as the payload. */
static void
fail_records(struct s3_objects *os, struct s3_object *o, const char *why)
{
	uint64_t start = 0;
	char id[S3_KEY_MAX + 128];
	uint8_t *bytes = NULL;
	size_t cap = 0;

	o->broken = true;
	sdc_warnx("s3: s3://%s/%s: %llu records failed: %s", os->o->bucket,
	    o->key, (unsigned long long)o->records, why);
	for (uint64_t i = 0; i < o->records; i++) {
		uint64_t end = o->ends[i];
		size_t n = (size_t)(end - start);

		if (n > cap)
			bytes = sdc_xrealloc(bytes, cap = n);
		snprintf(id, sizeof id, "s3://%s/%s#%llu", os->o->bucket,
		    o->key, (unsigned long long)i);
		if (!read_range(o, start, end, bytes))
			n = 0;
		sdc_sink_failed_raw(os->s, id, bytes, n, "S3_UPLOAD", "%s",
		    why);
		start = end;
	}
	free(bytes);
	o->broken = true;
}

static void
abort_upload(struct s3_objects *os, struct s3_object *o)
{
	const struct sdc_sigv4_pair q[] = { { "uploadId", o->upload_id } };
	struct s3_call k;

	settle(os);
	s3_call_init(&k, "DELETE", o->key);
	k.params = q;
	k.nparams = 1;
	if (!s3_perform(os->c, &k))
		sdc_warnx("s3: s3://%s/%s: cannot abort upload %s: %s",
		    os->o->bucket, o->key, o->upload_id, k.why);
}

static void
give_up(struct s3_objects *os, struct s3_object *o, const char *why)
{
	if (os->fl.o == o)
		settle(os);
	if (o->broken)
		return;
	os->broke = true;
	if (o->upload_id != NULL)
		abort_upload(os, o);
	fail_records(os, o, why);
}

/* ------------------------------------------------------------- uploads */

static bool
initiate(struct s3_objects *os, struct s3_object *o, char *why, size_t len)
{
	const struct sdc_sigv4_pair q[] = { { "uploads", "" } };
	struct sdc_sigv4_pair h[OBJECT_HEADERS_MAX];
	struct s3_call k;

	settle(os);
	s3_call_init(&k, "POST", o->key);
	k.params = q;
	k.nparams = 1;
	k.headers = h;
	k.nheaders = object_headers(os->o, h);
	if (!s3_perform(os->c, &k)) {
		snprintf(why, len, "%s", k.why);
		return false;
	}
	if (k.ans.upload_id[0] == '\0') {
		snprintf(why, len, "POST %s?uploads: no UploadId in the answer",
		    o->key);
		return false;
	}
	o->upload_id = sdc_xstrdup(k.ans.upload_id);
	return true;
}

/* The part being filled, closed: its hash final, its file kept. */
static void
seal(struct s3_object *o)
{
	struct s3_part *pt = &o->parts[o->nparts - 1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	static const char digits[] = "0123456789abcdef";

	if (o->fd < 0)
		return;
	EVP_DigestFinal_ex(o->md, md, &n);
	for (unsigned i = 0; i < n; i++) {
		pt->sha256[2 * i] = digits[md[i] >> 4];
		pt->sha256[2 * i + 1] = digits[md[i] & 15];
	}
	pt->sha256[2 * n] = '\0';
	close(o->fd);
	o->fd = -1;
}

static bool
put_file(struct s3_objects *os, struct s3_object *o, struct s3_call *k,
    struct s3_part *pt, char *why, size_t len)
{
	int fd;
	bool ok;

	settle(os);
	fd = open(pt->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", pt->path, strerror(errno));
		return false;
	}
	k->fd = fd;
	k->len = pt->len;
	k->payload_hash = os->o->unsigned_payload ? SDC_UNSIGNED_PAYLOAD :
	    pt->sha256;
	ok = s3_perform(os->c, k);
	close(fd);
	if (!ok)
		snprintf(why, len, "%s", k->why);
	else
		snprintf(pt->etag, sizeof pt->etag, "%s", k->etag);
	(void)o;
	return ok;
}

static bool
upload_part(struct s3_objects *os, struct s3_object *o, size_t i, char *why,
    size_t len)
{
	char number[24];
	struct sdc_sigv4_pair q[2];
	struct s3_call k;

	if (o->upload_id == NULL && !initiate(os, o, why, len))
		return false;
	snprintf(number, sizeof number, "%zu", i + 1);
	q[0] = (struct sdc_sigv4_pair){ "partNumber", number };
	q[1] = (struct sdc_sigv4_pair){ "uploadId", o->upload_id };
	s3_call_init(&k, "PUT", o->key);
	k.params = q;
	k.nparams = 2;
	if (!put_file(os, o, &k, &o->parts[i], why, len))
		return false;
	if (o->parts[i].etag[0] == '\0') {
		snprintf(why, len, "PUT %s part %zu: no ETag in the answer",
		    o->key, i + 1);
		return false;
	}
	return true;
}

/* The part upload going on, ended: false when it failed (and its object
 * was given up). */
static bool
settle(struct s3_objects *os)
{
	struct s3_inflight *f = &os->fl;
	struct s3_object *o = f->o;
	char why[1024];
	bool ok;

	if (o == NULL)
		return true;
	ok = s3_wait(os->c, &f->k);
	close(f->fd);
	f->o = NULL;
	if (ok && f->k.etag[0] != '\0') {
		snprintf(o->parts[f->part].etag, sizeof o->parts[f->part].etag,
		    "%s", f->k.etag);
		return true;
	}
	if (ok)
		snprintf(why, sizeof why, "PUT %s part %zu: no ETag in the "
		    "answer", o->key, f->part + 1);
	else
		snprintf(why, sizeof why, "%s", f->k.why);
	give_up(os, o, why);
	return false;
}

void
s3_objects_settle(struct s3_objects *os)
{
	settle(os);
}

void
s3_objects_pump(struct s3_objects *os)
{
	if (os->fl.o != NULL && s3_pump(os->c))
		settle(os);
}

/* Part i's upload begun, to go on while what follows is rendered. */
static bool
start_part(struct s3_objects *os, struct s3_object *o, size_t i, char *why,
    size_t len)
{
	struct s3_inflight *f = &os->fl;
	struct s3_part *pt = &o->parts[i];

	settle(os);
	if (o->broken) {
		snprintf(why, len, "given up");
		return false;
	}
	if (o->upload_id == NULL && !initiate(os, o, why, len))
		return false;
	f->fd = open(pt->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(why, len, "%s: %s", pt->path, strerror(errno));
		return false;
	}
	snprintf(f->number, sizeof f->number, "%zu", i + 1);
	f->q[0] = (struct sdc_sigv4_pair){ "partNumber", f->number };
	f->q[1] = (struct sdc_sigv4_pair){ "uploadId", o->upload_id };
	s3_call_init(&f->k, "PUT", o->key);
	f->k.params = f->q;
	f->k.nparams = 2;
	f->k.fd = f->fd;
	f->k.len = pt->len;
	snprintf(f->sha256, sizeof f->sha256, "%s", pt->sha256);
	f->k.payload_hash = os->o->unsigned_payload ? SDC_UNSIGNED_PAYLOAD :
	    f->sha256;
	f->o = o;
	f->part = i;
	s3_start(os->c, &f->k);
	return true;
}

static bool
new_part(struct s3_objects *os, struct s3_object *o, char *why, size_t len)
{
	struct s3_part *pt;
	char path[4096];

	if (o->nparts == S3_PARTS_MAX) {
		snprintf(why, len, "more than %d parts (see --part-size)",
		    S3_PARTS_MAX);
		return false;
	}
	snprintf(path, sizeof path, "%s/.sdc-s3-%ld-%llu.part",
	    os->o->spool_dir, (long)getpid(),
	    (unsigned long long)++os->spooled);
	o->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (o->fd < 0) {
		snprintf(why, len, "spool %.900s: %s", path, strerror(errno));
		return false;
	}
	o->parts = sdc_xreallocarray(o->parts, o->nparts + 1, sizeof *pt);
	pt = &o->parts[o->nparts++];
	memset(pt, 0, sizeof *pt);
	pt->path = sdc_xstrdup(path);
	if (o->md == NULL)
		o->md = EVP_MD_CTX_new();
	if (o->md == NULL || !EVP_DigestInit_ex(o->md, EVP_sha256(), NULL))
		sdc_errx(SDC_EXIT_IO, "s3: SHA-256 unavailable");
	return true;
}

static bool
write_all(int fd, const uint8_t *p, size_t n, char *why, size_t len,
    const char *path)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(why, len, "spool %s: %s", path,
			    strerror(errno));
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* n bytes into the last part, a full one uploaded and a new one begun. */
static bool
spool_bytes(struct s3_objects *os, struct s3_object *o, const uint8_t *p,
    size_t n, char *why, size_t len)
{
	struct s3_part *pt = o->nparts > 0 ? &o->parts[o->nparts - 1] : NULL;
	size_t room;

	if (pt != NULL && o->fd >= 0 && pt->len == os->o->part_size) {
		seal(o);
		if (!start_part(os, o, o->nparts - 1, why, len))
			return false;
	}
	if (o->fd < 0 && !new_part(os, o, why, len))
		return false;
	pt = &o->parts[o->nparts - 1];
	room = os->o->part_size - (size_t)pt->len;
	if (n > room)
		n = room;
	if (!write_all(o->fd, p, n, why, len, pt->path))
		return false;
	EVP_DigestUpdate(o->md, p, n);
	pt->len += n;
	o->spooled += n;
	sdc_render_take(o->rd, n);
	return true;
}

bool
s3_object_spool(struct s3_objects *os, struct s3_object *o)
{
	char why[1024];
	const uint8_t *p;
	size_t n;

	while (!o->broken && (p = sdc_render_bytes(o->rd, &n), n > 0)) {
		if (!spool_bytes(os, o, p, n, why, sizeof why)) {
			give_up(os, o, why);
			return false;
		}
	}
	return !o->broken;
}

/* ------------------------------------------------------------ finishing */

static bool
complete(struct s3_objects *os, struct s3_object *o, char *why, size_t len)
{
	const struct sdc_sigv4_pair q[] = { { "uploadId", o->upload_id } };
	struct sdc_buf xml;
	struct s3_call k;
	char line[256];
	bool ok;

	settle(os);
	sdc_buf_init(&xml, SIZE_MAX);
	sdc_buf_append(&xml, "<CompleteMultipartUpload>", 25);
	for (size_t i = 0; i < o->nparts; i++) {
		int m = snprintf(line, sizeof line, "<Part><PartNumber>%zu"
		    "</PartNumber><ETag>%s</ETag></Part>", i + 1,
		    o->parts[i].etag);

		sdc_buf_append(&xml, line, (size_t)m);
	}
	sdc_buf_append(&xml, "</CompleteMultipartUpload>", 26);
	s3_call_init(&k, "POST", o->key);
	k.params = q;
	k.nparams = 1;
	k.body = xml.data;
	k.len = xml.len;
	ok = s3_perform(os->c, &k);
	if (!ok)
		snprintf(why, len, "%s", k.why);
	sdc_buf_release(&xml);
	return ok;
}

static bool
put_object(struct s3_objects *os, struct s3_object *o, char *why,
    size_t len)
{
	struct sdc_sigv4_pair h[OBJECT_HEADERS_MAX];
	struct s3_call k;

	s3_call_init(&k, "PUT", o->key);
	k.headers = h;
	k.nheaders = object_headers(os->o, h);
	return put_file(os, o, &k, &o->parts[0], why, len);
}

static bool
upload(struct s3_objects *os, struct s3_object *o, char *why, size_t len)
{
	seal(o);
	if (o->upload_id == NULL && o->nparts == 1)
		return put_object(os, o, why, len);
	return upload_part(os, o, o->nparts - 1, why, len) &&
	    complete(os, o, why, len);
}

void
s3_object_finish(struct s3_objects *os, struct s3_object *o)
{
	char why[1024];

	sdc_render_finish(o->rd);
	if (os->fl.o == o)
		settle(os);
	if (o->broken || o->records == 0 || !s3_object_spool(os, o)) {
		s3_object_free(o);
		return;
	}
	if (!upload(os, o, why, sizeof why)) {
		give_up(os, o, why);
		s3_object_free(o);
		return;
	}
	o->length = o->spooled;
	sdc_sink_delivered(os->s, o->records, o->length,
	    sdc_uptime() - o->opened);
	sdc_sink_object_written(os->s, os->o->bucket, o->key, o->length,
	    o->records);
	s3_object_free(o);
}
