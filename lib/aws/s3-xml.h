#ifndef SDC_S3_XML_H
#define SDC_S3_XML_H
/*
 * What sdc-sink needs of S3's XML answers: an Error's Code and Message
 * (which CompleteMultipartUpload may send with status 200), the
 * UploadId of InitiateMultipartUploadResult, the KeyCount and first Key
 * of ListBucketResult.  The body is the caller's, bounded by it; no
 * DTD, entity or network access is used.
 */
#include <stdbool.h>
#include <stddef.h>

struct sdc_s3_answer {
	char	root[64];	/* the root element's name, "" if none */
	char	code[128];
	char	message[256];
	char	upload_id[1024];
	char	key[1024];	/* the first Contents' Key */
	long	key_count;	/* -1 when absent */
};

/* false when body is not XML (root stays ""). */
bool	sdc_s3_xml_parse(const void *body, size_t n, struct sdc_s3_answer *a);

#endif
