/*
 * Unit tests of lib/buf.c: appending bytes, strings and formatted text,
 * growth past the first allocation and past buf_printf's stack buffer,
 * and freeing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "unit.h"

static void
test_empty_add(void)
{
	struct buf	 b = { NULL, 0, 0 };

	/* Adding nothing still gives a terminated, empty string. */
	CHECK_INT(buf_add(&b, "", 0), 0);
	CHECK(b.p != NULL);
	CHECK_STR(b.p, "");
	CHECK_INT(b.len, 0);
	CHECK(b.cap >= 1);
	buf_free(&b);
	CHECK(b.p == NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(b.cap, 0);
	/* Freeing twice is harmless. */
	buf_free(&b);
}

static void
test_add_binary(void)
{
	struct buf	 b = { NULL, 0, 0 };
	static const char bin[] = { 'a', '\0', 'b' };

	CHECK_INT(buf_add(&b, bin, 3), 0);
	CHECK_INT(b.len, 3);
	CHECK(memcmp(b.p, bin, 3) == 0);
	CHECK_INT(b.p[3], '\0');
	buf_free(&b);
}

static void
test_puts_and_growth(void)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 want[8192];
	size_t		 i;

	want[0] = '\0';
	for (i = 0; i < 1000; i++) {
		CHECK_INT(buf_puts(&b, "abcdefg"), 0);
		strcat(want, "abcdefg");
		if (b.len + 1 > b.cap || b.p[b.len] != '\0') {
			CHECK(0);
			break;
		}
	}
	CHECK_INT(b.len, 7000);
	CHECK_STR(b.p, want);
	CHECK(b.cap >= 7001);
	/* Growth doubles: no more than twice what is needed (and 256). */
	CHECK(b.cap <= 2 * 7001 || b.cap == 256);
	buf_free(&b);
}

static void
test_printf(void)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*big, want[64];
	size_t		 n;

	CHECK_INT(buf_printf(&b, "%s=%d;", "a", 42), 0);
	CHECK_INT(buf_printf(&b, "%05.1f|%x", 3.14159, 255u), 0);
	CHECK_STR(b.p, "a=42;003.1|ff");
	CHECK_INT(b.len, strlen("a=42;003.1|ff"));
	buf_free(&b);

	/* Past the 512-byte stack buffer: 511, 512, 513 and 5000 bytes. */
	{
		static const size_t sizes[] = { 511, 512, 513, 5000 };
		size_t	 i;

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			n = sizes[i];
			big = malloc(n + 1);
			memset(big, 'q', n);
			big[n] = '\0';
			CHECK_INT(buf_puts(&b, "<"), 0);
			CHECK_INT(buf_printf(&b, "%s>%zu", big, n), 0);
			snprintf(want, sizeof(want), ">%zu", n);
			CHECK_INT(b.len, 1 + n + strlen(want));
			CHECK(b.p[0] == '<' && memcmp(b.p + 1, big, n) == 0);
			CHECK_STR(b.p + 1 + n, want);
			free(big);
			buf_free(&b);
		}
	}

	/* An empty format adds nothing but terminates. */
	CHECK_INT(buf_printf(&b, "%s", ""), 0);
	CHECK_STR(b.p, "");
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

static void
test_reuse_after_reset(void)
{
	struct buf	 b = { NULL, 0, 0 };

	CHECK_INT(buf_puts(&b, "first"), 0);
	/* What response.c does to restart an answer. */
	b.len = 0;
	b.p[0] = '\0';
	CHECK_INT(buf_puts(&b, "second"), 0);
	CHECK_STR(b.p, "second");
	CHECK_INT(b.len, 6);
	buf_free(&b);
}

int
main(void)
{
	UNIT_RUN(test_empty_add);
	UNIT_RUN(test_add_binary);
	UNIT_RUN(test_puts_and_growth);
	UNIT_RUN(test_printf);
	UNIT_RUN(test_reuse_after_reset);
	return unit_finish();
}
