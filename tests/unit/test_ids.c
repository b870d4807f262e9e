/*
 * Unit tests of lib/ids.c: the shape of new ids, id_valid on right and
 * wrong ids, and that ids do not repeat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "unit.h"

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The prefixes API.md names. */
static const char *const prefixes[] = {
	"mon", "ach", "ntf", "sp", "cmp", "inc", "upd", "mw", "team", "mem",
	"inv", "key", "out", "evt", "req",
};

static int
is_b62(int c)
{
	return c != '\0' && strchr(b62, c) != NULL;
}

static void
test_id_new_shape(void)
{
	char	 id[ID_MAX];
	size_t	 i, j, plen;

	CHECK_INT(ID_RANDLEN, 20);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		memset(id, '#', sizeof(id));
		id_new(id, prefixes[i]);
		plen = strlen(prefixes[i]);
		CHECK_INT(strlen(id), plen + 1 + 20);
		CHECK(strncmp(id, prefixes[i], plen) == 0);
		CHECK_INT(id[plen], '_');
		for (j = plen + 1; j < plen + 21; j++)
			CHECK(is_b62((unsigned char)id[j]));
		CHECK_INT(id_valid(id, prefixes[i]), 1);
	}
	/* The longest prefix in use still fits ID_MAX with room. */
	CHECK(strlen("team") + 1 + 20 < ID_MAX);
}

static void
test_id_valid_accepts(void)
{
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJ", "mon"), 1);
	CHECK_INT(id_valid("mon_00000000000000000000", "mon"), 1);
	CHECK_INT(id_valid("mon_zzzzzzzzzzzzzzzzzzzz", "mon"), 1);
	CHECK_INT(id_valid("team_0123456789abcdeXYZ98", "team"), 1);
	CHECK_INT(id_valid("sp_ABCDEFGHIJKLMNOPQRST", "sp"), 1);
}

static void
test_id_valid_negative(void)
{
	char	 id[ID_MAX + 8];

	CHECK_INT(id_valid(NULL, "mon"), 0);
	CHECK_INT(id_valid("", "mon"), 0);
	CHECK_INT(id_valid("mon_", "mon"), 0);
	CHECK_INT(id_valid("mon", "mon"), 0);

	/* Wrong prefix. */
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJ", "key"), 0);
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJ", "mo"), 0);
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJ", "mons"), 0);
	CHECK_INT(id_valid("MON_abcdefghijABCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("mon-abcdefghijABCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("monXabcdefghijABCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("xmon_abcdefghijABCDEFGHI", "mon"), 0);
	CHECK_INT(id_valid("_abcdefghijABCDEFGHIJ", "mon"), 0);
	/* "sp" must not accept an "spx_" id or the reverse. */
	CHECK_INT(id_valid("spx_abcdefghijABCDEFGHIJ", "sp"), 0);

	/* Wrong length: 19 and 21 random characters. */
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHI", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJK", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHIJ/", "mon"), 0);

	/* Characters outside base62, at the start, middle and end. */
	CHECK_INT(id_valid("mon_-bcdefghijABCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghi_ABCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghijABCDEFGHI!", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghij ABCDEFGHI", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghij.BCDEFGHIJ", "mon"), 0);
	CHECK_INT(id_valid("mon_abcdefghij%2FCDEFGHI", "mon"), 0);
	CHECK_INT(id_valid("mon_\xc3\xa9" "cdefghijABCDEFGHIJ", "mon"), 0);
	snprintf(id, sizeof(id), "mon_abcdefghij%cBCDEFGHIJ", 0x7f);
	CHECK_INT(id_valid(id, "mon"), 0);
	/* A NUL inside: the string ends early. */
	memcpy(id, "mon_abcdefghij\0BCDEFGHIJ", 25);
	CHECK_INT(id_valid(id, "mon"), 0);

	/* A fresh id of one type is not valid for another. */
	id_new(id, "key");
	CHECK_INT(id_valid(id, "key"), 1);
	CHECK_INT(id_valid(id, "mon"), 0);
	CHECK_INT(id_valid(id, "ke"), 0);
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

#define NIDS	10000

static void
test_id_unique(void)
{
	char	(*ids)[ID_MAX];
	int	 seen[256];
	size_t	 i, j, dups = 0, missing = 0;

	if ((ids = calloc(NIDS, sizeof(*ids))) == NULL) {
		CHECK(0);
		return;
	}
	for (i = 0; i < NIDS; i++)
		id_new(ids[i], "mon");
	qsort(ids, NIDS, sizeof(*ids), cmp_ids);
	for (i = 1; i < NIDS; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			dups++;
	CHECK_INT(dups, 0);

	/* 200,000 random characters use every one of the 62 (the chance
	 * that one is missing is about 62 * (61/62)^200000, i.e. none). */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NIDS; i++)
		for (j = 4; j < 24; j++)
			seen[(unsigned char)ids[i][j]]++;
	for (i = 0; i < 62; i++)
		if (seen[(unsigned char)b62[i]] == 0)
			missing++;
	CHECK_INT(missing, 0);
	/* And roughly evenly: each about 200000/62 = 3226 times. */
	for (i = 0; i < 62; i++)
		CHECK(seen[(unsigned char)b62[i]] > 2500 &&
		    seen[(unsigned char)b62[i]] < 4000);
	free(ids);
}

static void
test_base62_random_bounds(void)
{
	char	 buf[16];
	size_t	 i;

	memset(buf, '#', sizeof(buf));
	base62_random(buf, 5);
	for (i = 0; i < 5; i++)
		CHECK(is_b62((unsigned char)buf[i]));
	for (i = 5; i < sizeof(buf); i++)
		CHECK_INT(buf[i], '#');
	memset(buf, '#', sizeof(buf));
	base62_random(buf, 0);
	CHECK_INT(buf[0], '#');
}

int
main(void)
{
	UNIT_RUN(test_id_new_shape);
	UNIT_RUN(test_id_valid_accepts);
	UNIT_RUN(test_id_valid_negative);
	UNIT_RUN(test_id_unique);
	UNIT_RUN(test_base62_random_bounds);
	return unit_finish();
}
