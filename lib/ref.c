/*
 * Refs: their shape, the default made from a name, and a free one
 * picked by suffix.  See ref.h and docs/lib/ref.md.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ref.h"

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define DIGITS	"0123456789"

int
ref_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= REF_MAXLEN &&
	    strchr(LOWER DIGITS, s[0]) != NULL &&
	    strspn(s, LOWER DIGITS "-_") == n;
}

void
ref_from_name(const char *name, const char *fallback, char out[REF_MAX])
{
	size_t		 n = 0;
	unsigned char	 c;

	for (; *name != '\0' && n < REF_BASEMAX; name++) {
		c = (unsigned char)*name;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = (char)c;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, REF_MAX, "%s", fallback);
}

int
ref_pick(const char *base, int (*taken)(const char *, void *), void *arg,
    char out[REF_MAX])
{
	size_t	 n = strnlen(base, REF_BASEMAX);
	int	 i, t;

	snprintf(out, REF_MAX, "%s", base);
	for (i = 2; i <= 999999; i++) {
		if ((t = taken(out, arg)) == -1)
			return -1;
		if (t == 0)
			return 0;
		/* At most REF_BASEMAX, "-" and six digits: REF_MAXLEN. */
		memcpy(out, base, n);
		snprintf(out + n, REF_MAX - n, "-%d", i);
	}
	return -1;
}

struct stored {
	struct db	*db;
	const char	*sql;
	const char	*team;
	int		 rc;
};

static int
stored_taken(const char *ref, void *arg)
{
	struct stored	*s = arg;
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(s->db, s->sql)) == NULL) {
		s->rc = DB_ERROR;
		return -1;
	}
	db_bind_text(st, 1, s->team);
	db_bind_text(st, 2, ref);
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_ROW)
		return 1;
	if (rc == DB_DONE)
		return 0;
	s->rc = db_rc(rc);
	return -1;
}

int
ref_default(struct db *db, const char *taken_sql, const char *team,
    const char *name, const char *fallback, char out[REF_MAX])
{
	struct stored	 s = { db, taken_sql, team, DB_OK };
	char		 base[REF_MAX];

	ref_from_name(name, fallback, base);
	if (ref_pick(base, stored_taken, &s, out) == -1)
		return s.rc != DB_OK ? s.rc : DB_CONFLICT;
	return DB_OK;
}
