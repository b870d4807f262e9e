/*
 * json.c: field errors collected into one 400, typed getters.
 */
#ifndef JSON_H
#define JSON_H

#include "base.h"

/* ---- verrs (json.c): field errors collected into one 400 ---- */

enum verr_kind {
	VERR_INVALID,
	VERR_UNKNOWN,
	VERR_READONLY,
	VERR__MAX
};

#define VERR_MAX 32

struct verr {
	enum verr_kind	 kind;
	char		 pointer[128];
	char		 detail[192];
};

struct verrs {
	struct verr	 e[VERR_MAX];
	size_t		 n;
	size_t		 dropped;	/* errors past VERR_MAX */
};

void	 verr_add(struct verrs *, enum verr_kind, const char *pointer,
	    const char *fmt, ...) PRINTF(4, 5);

/* ---- json.c: typed getters with ranges and limits ---- */

/* A body field: its name and whether clients may write it. */
struct jfield {
	const char	*name;
	int		 readonly;
};

/*
 * Refuse members of obj not in fields (VERR_UNKNOWN) and read-only ones
 * (VERR_READONLY).  fields ends with a {NULL, 0} entry.
 */
void	 json_check_fields(const cJSON *obj, const struct jfield *fields,
	    struct verrs *);

/*
 * The getters look up name in obj.  They return 1 when the field is
 * present and valid (output set), 0 when it is absent (or null where null
 * is allowed: *isnull set), and -1 when it is invalid (an error added).
 * A required field that is absent adds an error and returns -1.
 */
#define JREQ	0x01	/* required */
#define JNULL	0x02	/* null allowed */

int	 json_str(const cJSON *obj, const char *name, size_t minchars,
	    size_t maxchars, int flags, struct verrs *, const char **out,
	    int *isnull);
int	 json_int(const cJSON *obj, const char *name, long long min,
	    long long max, int flags, struct verrs *, long long *out,
	    int *isnull);
int	 json_bool(const cJSON *obj, const char *name, int flags,
	    struct verrs *, int *out);
int	 json_time(const cJSON *obj, const char *name, int flags,
	    struct verrs *, int64_t *out, int *isnull);
/* Count UTF-8 characters of s; -1 if s is not valid UTF-8. */
long	 utf8_chars(const char *s);
/* The index of s (may be NULL) in names[0..n), or -1: enum values by name. */
int	 str_index(const char *const *names, int n, const char *s);

/* Add a string or null (for NULL or "") member. */
void	 json_add_str(cJSON *, const char *name, const char *value);
/* Add an RFC 3339 time or null (for 0). */
void	 json_add_time(cJSON *, const char *name, int64_t ms);
/* Does the Content-Type name JSON (application/json, any parameters)? */
int	 json_is_type(const char *ct);
/*
 * Does the JSON text p[0..n) escape a NUL ("\u0000") inside a string?
 * cJSON would cut the string there, so such bodies are refused.  Returns
 * 1 and a pointer to the top-level member holding it in ptr, or 0.
 */
int	 json_nul_escape(const char *p, size_t n, char *ptr, size_t ptrlen);

#endif /* JSON_H */
