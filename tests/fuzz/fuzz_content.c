/*
 * Fuzz target: content checks (lib/check.c, lib/re.cc).  The first byte
 * picks the check's type (its low bits, modulo 3: contains, not_contains,
 * regex) and case (its high bit: case-sensitive); the bytes up to the first NUL are its
 * value, the rest the response body (NULs and all).  The check is saved
 * as the API would (monitor_apply), then judged against the body.
 * contains and not_contains must agree with a naive search; a regex made
 * of letters and digits only must agree with contains.  Bodies are cut
 * so that a regex stays under the budget's inline cost: no child
 * process is started here.
 */
#include "fuzz.h"
#include "uptime.h"
#include "re.h"

static const char *const types[] = { "contains", "not_contains", "regex" };

static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The obvious quadratic search, as the reference. */
static int
naive(const char *hay, size_t hlen, const char *needle, size_t nlen, int cs)
{
	size_t	 i, j;

	for (i = 0; i + nlen <= hlen; i++) {
		for (j = 0; j < nlen; j++)
			if (cs ? hay[i + j] != needle[j] :
			    fold((unsigned char)hay[i + j]) !=
			    fold((unsigned char)needle[j]))
				break;
		if (j == nlen)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor		 m;
	struct verrs		 v = { 0 };
	struct probe		 p;
	struct check_result	 r;
	struct re		*re;
	const char		*type, *why;
	char			*value, *body;
	cJSON			*b, *c;
	size_t			 vlen, blen;
	int			 cs, want;

	fuzz_world();
	if (size < 1)
		return 0;
	type = types[(data[0] & 0x7f) % 3];
	cs = data[0] >> 7;
	value = fuzz_str(data + 1, size - 1);
	vlen = strlen(value);
	blen = size - 1 - vlen - (vlen < size - 1);
	if ((body = malloc(blen + 1)) == NULL)
		abort();
	memcpy(body, data + 1 + vlen + (vlen < size - 1), blen);
	body[blen] = '\0';

	monitor_init(&m, FUZZ_NOW);
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "name", "content");
	cJSON_AddStringToObject(b, "url", "https://shop.example.com/");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "value", value);
	cJSON_AddBoolToObject(c, "caseSensitive", cs);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(b, "contentChecks"), c);
	monitor_apply(&m, b, 1, &v);
	cJSON_Delete(b);
	if (v.n != 0)
		goto done;	/* refused at save: never judged */

	if (strcmp(type, "regex") == 0) {
		if ((re = re_compile(value, cs, &why)) == NULL)
			abort();	/* saved, so it compiles */
		if (blen > (1 << 22) / re_size(re))
			blen = (1 << 22) / re_size(re);
		re_free(re);
	}
	memset(&p, 0, sizeof(p));
	p.status_code = 200;
	p.body = body;
	p.bodylen = blen;
	check_judge(&m, &p, FUZZ_NOW, &r);
	if (r.status == MST_DOWN && strcmp(r.error_code, "content_mismatch"))
		abort();

	want = -1;
	if (strcmp(type, "regex") != 0) {
		want = naive(body, blen, value, vlen, cs);
		if (strcmp(type, "not_contains") == 0)
			want = !want;
	} else if (strspn(value, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == vlen)
		want = naive(body, blen, value, vlen, cs);
	if (want != -1 && want != (r.status == MST_UP))
		abort();
done:
	monitor_free(&m);
	free(value);
	free(body);
	return 0;
}
