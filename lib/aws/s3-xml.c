/* S3's XML answers through libxml2, the few values sdc-sink reads. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "s3-xml.h"
#include "banned.h"

#define XML_DEPTH_MAX	8	/* S3's answers are three deep */

static bool
named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static void
text_of(const xmlNode *n, char *dst, size_t len)
{
	xmlChar *t = xmlNodeGetContent(n);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
	xmlFree(t);
}

static void
visit(const xmlNode *n, struct sdc_s3_answer *a, int depth)
{
	char count[32];

	for (; n != NULL && depth < XML_DEPTH_MAX; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (named(n, "Code") && a->code[0] == '\0')
			text_of(n, a->code, sizeof a->code);
		else if (named(n, "Message") && a->message[0] == '\0')
			text_of(n, a->message, sizeof a->message);
		else if (named(n, "UploadId") && a->upload_id[0] == '\0')
			text_of(n, a->upload_id, sizeof a->upload_id);
		else if (named(n, "Key") && a->key[0] == '\0' && depth == 2)
			text_of(n, a->key, sizeof a->key);
		else if (named(n, "KeyCount") && depth == 1) {
			text_of(n, count, sizeof count);
			a->key_count = strtol(count, NULL, 10);
		}
		visit(n->children, a, depth + 1);
	}
}

bool
sdc_s3_xml_parse(const void *body, size_t n, struct sdc_s3_answer *a)
{
	xmlDoc *doc;
	const xmlNode *root;

	memset(a, 0, sizeof *a);
	a->key_count = -1;
	if (n == 0 || n > INT_MAX)
		return false;
	doc = xmlReadMemory(body, (int)n, "s3-answer.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return false;
	root = xmlDocGetRootElement(doc);
	if (root != NULL) {
		snprintf(a->root, sizeof a->root, "%s",
		    (const char *)root->name);
		visit(root->children, a, 1);
	}
	xmlFreeDoc(doc);
	return root != NULL;
}
