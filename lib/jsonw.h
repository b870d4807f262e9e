/*
 * jsonw.c: JSON written straight into a buffer, without a tree.  The
 * bytes are those cJSON_PrintUnformatted prints for the same tree
 * (members in the order written, the same string escapes, integers as
 * "%d" prints them), so that an answer written here and one printed
 * from cJSON are the same text.
 *
 * A writer keeps its place (which containers are open, whether a comma
 * is due); key is the member's name inside an object and NULL for an
 * array's element or the top value.  A failed allocation marks the
 * writer failed and every later call does nothing: check jw_failed once
 * at the end.
 */
#ifndef JSONW_H
#define JSONW_H

#include "base.h"
#include "buf.h"

#define JW_DEPTH	32

struct jw {
	struct buf	*b;
	int		 depth;
	int		 failed;
	unsigned char	 more[JW_DEPTH];	/* a member was written at depth */
	char		 close[JW_DEPTH];	/* what closes it: '}' or ']' */
	int		 keyed;		/* jw_key wrote the next value's key */
};

/* Write into b, after whatever it holds; at depth 0 nothing is open. */
void	 jw_start(struct jw *, struct buf *);
void	 jw_obj(struct jw *, const char *key);
void	 jw_arr(struct jw *, const char *key);
/* A member's name alone: the next value, written with key NULL, is its. */
void	 jw_key(struct jw *, const char *key);
/* A value already in JSON text (n bytes of json). */
void	 jw_raw(struct jw *, const char *key, const char *json, size_t n);
/* Close the innermost object or array. */
void	 jw_end(struct jw *);
/* A string; NULL writes null. */
void	 jw_str(struct jw *, const char *key, const char *s);
/* A string, or null for NULL or "" (json_add_str's rule). */
void	 jw_str_or_null(struct jw *, const char *key, const char *s);
void	 jw_int(struct jw *, const char *key, long long);
void	 jw_bool(struct jw *, const char *key, int);
void	 jw_null(struct jw *, const char *key);
/* An RFC 3339 time, or null for 0 (json_add_time's rule). */
void	 jw_time(struct jw *, const char *key, int64_t ms);
/* A value from a cJSON tree (NULL writes null), as cJSON prints it. */
void	 jw_cjson(struct jw *, const char *key, const cJSON *);
/* Each member of a cJSON object, as members of the open object. */
void	 jw_members(struct jw *, const cJSON *obj);
int	 jw_failed(const struct jw *);

#endif /* JSONW_H */
