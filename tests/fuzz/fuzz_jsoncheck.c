/*
 * Fuzz target: json content checks (lib/jsoncheck.c through lib/check.c).
 * The first byte picks the op (modulo 8: eq, ne, lt, le, gt, ge, exists,
 * contains); the bytes up to the first NUL are the pointer, those up to
 * the next NUL the value as JSON text (none: no value), the rest the
 * response body (NULs and all).  The check is saved as the API would
 * (monitor_apply), then judged against the body.  The judgment must
 * agree with a parse of its own: a body that parses is never
 * content_not_json, one that does not always is; a pointer that names
 * something is never content_pointer_unresolved; exists passes whenever
 * it names something; eq and ne never agree.
 */
#include "fuzz.h"
#include "uptime.h"
#include "jsoncheck.h"

/* The error code of judging m's checks against body, "" when up. */
static void
judge(struct monitor *m, char *body, size_t blen, char *code, size_t len)
{
	struct probe		 p;
	struct check_result	 r;

	memset(&p, 0, sizeof(p));
	p.status_code = 200;
	p.body = body;
	p.bodylen = blen;
	check_judge(m, &p, FUZZ_NOW, &r);
	if ((r.status == MST_DOWN) != (r.error_code[0] != '\0'))
		abort();
	snprintf(code, len, "%s", r.error_code);
}

/* Save a monitor with the one check c; 0, or -1 when refused. */
static int
save(struct monitor *m, cJSON *c)
{
	struct verrs	 v = { 0 };
	cJSON		*b;

	monitor_init(m, FUZZ_NOW);
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "name", "json");
	cJSON_AddStringToObject(b, "url", "https://api.example.com/");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(b, "contentChecks"), c);
	monitor_apply(m, b, 1, &v);
	cJSON_Delete(b);
	return v.n == 0 ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor	 m;
	const cJSON	*at;
	cJSON		*c, *value, *doc;
	char		*ptr, *vtext, *body, code[32], other[32];
	size_t		 plen, vlen, off, blen;
	int		 op;

	fuzz_world();
	if (size < 1)
		return 0;
	op = data[0] % JC__MAX;
	ptr = fuzz_str(data + 1, size - 1);
	plen = strlen(ptr);
	off = 1 + plen + (1 + plen < size);
	vtext = fuzz_str(data + off, size - off);
	vlen = strlen(vtext);
	off += vlen + (off + vlen < size);
	blen = size - off;
	if ((body = malloc(blen + 1)) == NULL)
		abort();
	memcpy(body, data + off, blen);
	body[blen] = '\0';

	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "json");
	cJSON_AddStringToObject(c, "pointer", ptr);
	cJSON_AddStringToObject(c, "op", jc_op_names[op]);
	if (vlen > 0 && (value = cJSON_Parse(vtext)) != NULL)
		cJSON_AddItemToObject(c, "value", value);
	if (save(&m, c) == -1)
		goto done;	/* refused at save: never judged */

	judge(&m, body, blen, code, sizeof(code));
	if (code[0] != '\0' && strcmp(code, "content_mismatch") &&
	    strcmp(code, "content_not_json") &&
	    strcmp(code, "content_pointer_unresolved"))
		abort();
	doc = jsoncheck_parse(body, blen);
	if ((doc == NULL) != (strcmp(code, "content_not_json") == 0))
		abort();
	at = jsonptr_get(doc, ptr);
	if (doc != NULL && (at == NULL) !=
	    (strcmp(code, "content_pointer_unresolved") == 0))
		abort();
	if (op == JC_EXISTS && at != NULL && code[0] != '\0')
		abort();
	cJSON_Delete(doc);

	/* The same check with the other of eq and ne. */
	if (at != NULL && (op == JC_EQ || op == JC_NE)) {
		monitor_free(&m);
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", "json");
		cJSON_AddStringToObject(c, "pointer", ptr);
		cJSON_AddStringToObject(c, "op", op == JC_EQ ? "ne" : "eq");
		cJSON_AddItemToObject(c, "value", cJSON_Parse(vtext));
		if (save(&m, c) == -1)
			abort();	/* the same value was saved */
		judge(&m, body, blen, other, sizeof(other));
		if ((code[0] == '\0') == (other[0] == '\0'))
			abort();
	}
done:
	monitor_free(&m);
	free(ptr);
	free(vtext);
	free(body);
	return 0;
}
