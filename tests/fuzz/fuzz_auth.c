/*
 * Fuzz target: the Authorization header and the key checksum.  The first
 * byte picks the scope the route needs (or none, or any key), the rest
 * is the header's value as the web server passes it (HTTP_AUTHORIZATION,
 * cut at a NUL).  auth_request() runs against the world's database
 * inside a transaction that is rolled back, so the refusals it records
 * do not pile up; key_check_format() and scope_parse_list() see the same
 * bytes.  The world's own key must always pass with every scope.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	char		*h;
	char		 sum[KEY_SUMLEN];
	unsigned	 mask;
	int		 scope, ok;

	fuzz_world();
	if (size < 1)
		return 0;
	scope = data[0] % (SCOPE__MAX + 2) - 2;
	h = fuzz_str(data + 1, size - 1);
	fuzz_req(&r, "GET", "/v1/api-keys/current", NULL, 0);
	setenv("HTTP_AUTHORIZATION", h, 1);
	if (db_begin(fw.db) != DB_OK)
		abort();
	ok = auth_request(&r, scope) == 0;
	db_rollback(fw.db);
	if (ok && (r.key == NULL || strcmp(r.key->id, fw.apikey.id) != 0))
		abort();
	if (ok == r.answered)
		abort();	/* a refusal is answered, a pass is not */
	fuzz_req_done(&r);

	ok = key_check_format(h);
	if (ok) {
		key_checksum(h + 7, KEY_RANDLEN, sum);
		if (memcmp(sum, h + 7 + KEY_RANDLEN, KEY_SUMLEN) != 0)
			abort();
	}
	key_checksum(h, strlen(h), sum);
	if (scope_parse_list(h, &mask) == 0 && (mask == 0 ||
	    (mask & ~SCOPES_ALL) != 0))
		abort();
	unsetenv("HTTP_AUTHORIZATION");
	free(h);
	return 0;
}
