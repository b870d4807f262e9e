/*
 * ref.c: refs, the names objects carry in a team's configuration
 * document (GET and PUT /v1/config; docs/config.md).  A ref is 1 to
 * REF_MAXLEN of a-z, 0-9, "-" and "_", starting with a letter or a
 * digit, unique among the team's objects of one kind.  Each resource
 * module stores its objects' refs, with its own SQL; this module knows
 * their shape and picks a free one.
 */
#ifndef REF_H
#define REF_H

#include "base.h"
#include "db.h"

#define REF_MAXLEN	64
#define REF_MAX		(REF_MAXLEN + 1)	/* a ref and its NUL */
/*
 * The longest base ref_from_name makes: room for "-" and six digits
 * (UPTIME_MAX_MONITORS is at most 100000).  The migration that gave
 * existing objects their refs (schema/013_config_refs.sql) makes the
 * same bases.
 */
#define REF_BASEMAX	57

/* 1 when s is a ref, else 0. */
int	 ref_valid(const char *s);

/*
 * The default ref of an object named name: its ASCII letters (lower
 * case) and digits, each run of anything else one "-", none at either
 * end, at most REF_BASEMAX characters; fallback (a ref) when nothing is
 * left ("日本" gives fallback).
 */
void	 ref_from_name(const char *name, const char *fallback,
	    char out[REF_MAX]);

/*
 * The first of base, base-2, base-3, ... that taken() says is free into
 * out.  taken(ref, arg) returns 1 when ref is taken, 0 when free, -1 on
 * an error.  0, or -1 when taken() failed or no suffix up to 999999 was
 * free.
 */
int	 ref_pick(const char *base, int (*taken)(const char *, void *),
	    void *arg, char out[REF_MAX]) WUR;

/*
 * The default ref of a new object of team named name: ref_from_name,
 * then ref_pick against the stored refs.  taken_sql is the caller's
 * statement that finds a ref among its objects, "SELECT 1 FROM <table>
 * WHERE team_id = ?1 AND ref = ?2".  DB_* code.
 */
int	 ref_default(struct db *, const char *taken_sql, const char *team,
	    const char *name, const char *fallback, char out[REF_MAX]);

#endif /* REF_H */
