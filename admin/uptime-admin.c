/*
 * uptime-admin: what must happen before the first API key exists, and
 * the operator's chores.
 *
 *   uptime-admin init
 *   uptime-admin migrate
 *   uptime-admin team create NAME [--owner EMAIL [--owner-name NAME]]
 *   uptime-admin member link --team ID --email EMAIL
 *   uptime-admin key create --team ID --name NAME --scopes LIST|all
 *                           [--expires TIME]
 *   uptime-admin key list --team ID
 *   uptime-admin key revoke ID
 *   uptime-admin backup PATH
 *   uptime-admin config check [--user NAME]
 *
 * Exit status: 0 done, 1 failed, 2 bad arguments.  Results go to stdout
 * (a new key prints only its secret), messages to stderr.  Run as root
 * on a data folder of another user's, it runs as that user
 * (lib/owner.c), so that what it makes is theirs.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "limit.h"
#include "account.h"
#include "member.h"
#include "owner.h"

#define EXIT_USAGE	2

static const char usage_text[] =
    "usage: uptime-admin init\n"
    "       uptime-admin migrate\n"
    "       uptime-admin team create NAME [--owner EMAIL "
    "[--owner-name NAME]]\n"
    "       uptime-admin member link --team ID --email EMAIL\n"
    "       uptime-admin key create --team ID --name NAME "
    "--scopes LIST|all [--expires TIME]\n"
    "       uptime-admin key list --team ID\n"
    "       uptime-admin key revoke ID\n"
    "       uptime-admin backup PATH\n"
    "       uptime-admin copy --to postgresql://...\n"
    "       uptime-admin config check [--user NAME]\n"
    "Scopes for --scopes:"
#define SCOPE(id, name, bit)	" " name
#include "families.def"
    "\n"
    "Settings come from the environment, then the file UPTIME_CONFIG\n"
    "names (" CONFIG_DEFAULT_FILE " when it exists).\n";

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "uptime-admin: %s\n", why);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static struct db *
open_db(int migrate)
{
	struct db	*db;
	char		 err[1024];

	if ((db = db_open(cfg.db, migrate, err, sizeof(err))) == NULL) {
		config_blame("UPTIME_DB", err, sizeof(err));
		fprintf(stderr, "uptime-admin: %s\n", err);
	}
	return db;
}

static int
load_secret(void)
{
	char	 err[1024];

	if (auth_load_secret(cfg.secret_file, err, sizeof(err)) == -1) {
		config_blame("UPTIME_SECRET_FILE", err, sizeof(err));
		fprintf(stderr, "uptime-admin: %s\n", err);
		return -1;
	}
	return 0;
}

/* Make the folder holding path (the setting name), mode 0700, if it is
 * missing. */
static int
make_parent(const char *path, const char *name)
{
	char	 copy[1024], err[1536];
	char	*dir;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		if (!owner_explain("the folder", dir, OWNER_WRITE, err,
		    sizeof(err)))
			snprintf(err, sizeof(err), "cannot create %s: %s", dir,
			    strerror(errno));
		config_blame(name, err, sizeof(err));
		fprintf(stderr, "uptime-admin: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * Run by root, init leaves a data folder of root's as it is: say that
 * programs started by the web server as another user cannot use it.
 */
static void
warn_root_folder(void)
{
	struct stat	 sb;
	char		 folder[1024];

	owner_data_folder(folder, sizeof(folder));
	if (geteuid() == 0 && stat(folder, &sb) == 0 && sb.st_uid == 0)
		fprintf(stderr, "uptime-admin: the data folder %s is root's: "
		    "programs the web server runs as another user cannot use "
		    "it; give it to that user (chown -R www-data: %s on "
		    "Debian)\n", folder, folder);
}

static int
cmd_init(void)
{
	struct db	*db;
	char		 err[1024];

	if (make_parent(cfg.secret_file, "UPTIME_SECRET_FILE") == -1 ||
	    (!db_is_uri(cfg.db) && make_parent(cfg.db, "UPTIME_DB") == -1))
		return 1;
	if (access(cfg.secret_file, F_OK) == 0)
		fprintf(stderr, "uptime-admin: keeping the secret %s\n",
		    cfg.secret_file);
	else if (auth_create_secret(cfg.secret_file, err, sizeof(err)) == -1) {
		config_blame("UPTIME_SECRET_FILE", err, sizeof(err));
		fprintf(stderr, "uptime-admin: %s\n", err);
		return 1;
	} else
		fprintf(stderr, "uptime-admin: created the secret %s\n",
		    cfg.secret_file);
	if (load_secret() == -1 || (db = open_db(1)) == NULL)
		return 1;
	fprintf(stderr, "uptime-admin: database %s is at schema version %d\n",
	    cfg.db, db_schema_version());
	db_close(db);
	warn_root_folder();
	return 0;
}

static int
cmd_migrate(void)
{
	struct db	*db;

	if ((db = open_db(1)) == NULL)
		return 1;
	fprintf(stderr, "uptime-admin: database %s is at schema version %d\n",
	    cfg.db, db_schema_version());
	db_close(db);
	return 0;
}

/* The value after a --flag, or NULL when it is missing. */
static const char *
flag(int argc, char **argv, const char *name)
{
	int	 i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* Refuse flags other than those listed ("--a,--b"). */
static int
only_flags(int argc, char **argv, int from, const char *known)
{
	char	 want[64];
	int	 i;

	for (i = from; i < argc; i += 2) {
		snprintf(want, sizeof(want), ",%s,", argv[i]);
		if (strncmp(argv[i], "--", 2) != 0 || strstr(known, want) ==
		    NULL || i + 1 >= argc)
			return -1;
	}
	return 0;
}

/*
 * A new one-time link that sets m's password in the console into url
 * (the earlier ones stop working): UPTIME_PUBLIC_URL's /app/password,
 * the token in the fragment.  A DB_* code.
 */
static int
password_link(struct db *db, const struct member *m, char *url, size_t len)
{
	char	 token[ACCOUNT_TOKEN_LEN + 1];
	int	 rc;

	rc = account_link_new(db, m, time_now_ms(), cfg.link_ttl * 1000, token);
	if (rc == DB_OK)
		snprintf(url, len, "%s/app/password#token=%s", cfg.public_url,
		    token);
	sodium_memzero(token, sizeof(token));
	return rc;
}

/* The team and, with --owner, its first owner, in one transaction. */
static int
team_create_owned(struct db *db, const char *name, const char *email,
    const char *owner_name, struct team *t, struct member *m, char *link,
    size_t linklen)
{
	int	 rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = team_create(db, name, t)) == DB_OK && email != NULL) {
		memset(m, 0, sizeof(*m));
		snprintf(m->team_id, sizeof(m->team_id), "%s", t->id);
		snprintf(m->email, sizeof(m->email), "%s", email);
		snprintf(m->name, sizeof(m->name), "%s", owner_name);
		m->role = ROLE_OWNER;
		m->joined_at = t->created_at;
		rc = member_insert(db, m);
		if (rc == DB_OK)
			rc = password_link(db, m, link, linklen);
	}
	if (rc != DB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

static int
cmd_team(int argc, char **argv)
{
	struct db	*db;
	struct team	 t;
	struct member	 m;
	const char	*owner = flag(argc, argv, "--owner");
	const char	*oname = flag(argc, argv, "--owner-name");
	char		 email[MAIL_ADDR_MAX + 1], local[MAIL_ADDR_MAX + 1];
	char		 link[PUBLIC_URL_MAX + 64];
	long		 n;

	if (argc < 3 || strcmp(argv[1], "create") != 0 ||
	    only_flags(argc, argv, 3, ",--owner,--owner-name,"))
		return usage("team takes: create NAME [--owner EMAIL "
		    "[--owner-name NAME]]");
	n = utf8_chars(argv[2]);
	if (n < 1 || n > NAME_MAXCHARS)
		return usage("the team name must be 1 to 255 characters");
	if (oname != NULL && owner == NULL)
		return usage("--owner-name goes with --owner");
	if (owner != NULL && mail_addr_normalize(owner, email,
	    sizeof(email)) == -1)
		return usage("--owner must be an email address");
	if (owner != NULL && oname == NULL) {
		/* The name defaults to the address's local part. */
		snprintf(local, sizeof(local), "%.*s",
		    (int)strcspn(owner, "@"), owner);
		oname = local;
	}
	if (oname != NULL && (utf8_chars(oname) < 1 ||
	    utf8_chars(oname) > NAME_MAXCHARS))
		return usage("--owner-name must be 1 to 255 characters");
	/* The owner's link is a keyed hash of the server secret. */
	if ((owner != NULL && load_secret() == -1) ||
	    (db = open_db(1)) == NULL)
		return 1;
	if (team_create_owned(db, argv[2], owner ? email : NULL, oname, &t,
	    &m, link, sizeof(link)) != DB_OK) {
		fprintf(stderr, "uptime-admin: cannot create the team\n");
		db_close(db);
		return 1;
	}
	printf("%s\n", t.id);
	if (owner != NULL)
		fprintf(stderr, "uptime-admin: %s <%s> is the owner (%s); "
		    "their one-time link to set a password, valid %ld "
		    "seconds:\n%s\n", m.name, m.email, m.id, cfg.link_ttl,
		    link);
	sodium_memzero(link, sizeof(link));
	db_close(db);
	return 0;
}

/* uptime-admin member link --team ID --email EMAIL: a new link. */
static int
cmd_member(int argc, char **argv)
{
	struct db	*db;
	struct member	 m;
	const char	*team = flag(argc, argv, "--team");
	const char	*addr = flag(argc, argv, "--email");
	char		 email[MAIL_ADDR_MAX + 1], link[PUBLIC_URL_MAX + 64];
	int		 rc;

	if (argc < 2 || strcmp(argv[1], "link") != 0 ||
	    only_flags(argc, argv, 2, ",--team,--email,") || team == NULL ||
	    addr == NULL)
		return usage("member takes: link --team ID --email EMAIL");
	if (!id_valid(team, "team"))
		return usage("--team must be a team id");
	if (mail_addr_normalize(addr, email, sizeof(email)) == -1)
		return usage("--email must be an email address");
	if (load_secret() == -1 || (db = open_db(1)) == NULL)
		return 1;
	if ((rc = member_by_email(db, team, email, &m)) == DB_NOTFOUND) {
		fprintf(stderr, "uptime-admin: %s is not a member of %s\n",
		    email, team);
		db_close(db);
		return 1;
	}
	if (rc != DB_OK || (rc = db_begin(db)) != DB_OK ||
	    (rc = password_link(db, &m, link, sizeof(link))) != DB_OK ||
	    (rc = db_commit(db)) != DB_OK) {
		if (db_in_tx(db))
			db_rollback(db);
		fprintf(stderr, "uptime-admin: cannot make the link\n");
		db_close(db);
		return 1;
	}
	printf("%s\n", link);
	sodium_memzero(link, sizeof(link));
	fprintf(stderr, "uptime-admin: a one-time link for %s <%s> to set a "
	    "password, valid %ld seconds; earlier links stop working\n",
	    m.name, m.email, cfg.link_ttl);
	db_close(db);
	return 0;
}

static int
key_create(struct db *db, int argc, char **argv)
{
	struct apikey	 k;
	struct team	 t;
	const char	*team = flag(argc, argv, "--team");
	const char	*name = flag(argc, argv, "--name");
	const char	*scopes = flag(argc, argv, "--scopes");
	const char	*expires = flag(argc, argv, "--expires");
	char		 secret[KEY_LEN + 1];
	int64_t		 now;
	int		 rc, lim = DB_ERROR;

	if (only_flags(argc, argv, 2, ",--team,--name,--scopes,--expires,"))
		return usage("key create takes --team, --name, --scopes and "
		    "--expires, each with a value");
	if (team == NULL || name == NULL || scopes == NULL)
		return usage("key create needs --team, --name and --scopes");
	memset(&k, 0, sizeof(k));
	if (utf8_chars(name) < 1 || utf8_chars(name) > NAME_MAXCHARS)
		return usage("--name must be 1 to 255 characters");
	if (scope_parse_list(scopes, &k.scopes) == -1)
		return usage("--scopes is \"all\" or a comma-separated list "
		    "of the scopes below");
	if (expires != NULL && (time_parse(expires, &k.expires_at) == -1 ||
	    k.expires_at <= time_now_ms()))
		return usage("--expires must be a future RFC 3339 time");
	if ((rc = team_get(db, team, &t)) != DB_OK) {
		fprintf(stderr, "uptime-admin: no team %s\n", team);
		return 1;
	}
	snprintf(k.team_id, sizeof(k.team_id), "%s", t.id);
	snprintf(k.name, sizeof(k.name), "%s", name);
	key_generate(secret);
	/* The count and the insert in one transaction: race-free. */
	if ((rc = db_begin(db)) == DB_OK) {
		now = time_now_ms();
		if ((rc = lim = limit_room(db, LIMIT_KEYS, t.id, now)) ==
		    DB_OK &&
		    (rc = apikey_insert(db, &k, secret, now)) == DB_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	if (rc == DB_OK)
		printf("%s\n", secret);
	else if (lim == DB_CONFLICT)
		fprintf(stderr, "uptime-admin: the team has %ld active keys "
		    "already (UPTIME_MAX_KEYS)\n", cfg.max_keys);
	else
		fprintf(stderr, "uptime-admin: cannot create the key\n");
	sodium_memzero(secret, sizeof(secret));
	return rc == DB_OK ? 0 : 1;
}

/* One line a key, from its JSON as the API gives it. */
static void
print_key(const cJSON *k)
{
	const cJSON	*sc;
	const char	*exp = cJSON_GetStringValue(cJSON_GetObjectItem(k,
			    "expiresAt"));
	int		 first = 1;

	printf("%s  %s  %-7s  %s  ",
	    cJSON_GetStringValue(cJSON_GetObjectItem(k, "id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(k, "keyPrefix")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(k, "status")),
	    exp != NULL ? exp : "never");
	cJSON_ArrayForEach(sc, cJSON_GetObjectItem(k, "scopes")) {
		printf("%s%s", first ? "" : ",", cJSON_GetStringValue(sc));
		first = 0;
	}
	printf("  %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(k,
	    "name")));
}

static int
key_list(struct db *db, int argc, char **argv)
{
	struct page	 pg;
	struct lister	 l;
	struct team	 t;
	const cJSON	*k;
	cJSON		*keys;
	const char	*team = flag(argc, argv, "--team");
	int		 rc;

	if (only_flags(argc, argv, 2, ",--team,") || team == NULL)
		return usage("key list needs --team ID");
	if (team_get(db, team, &t) != DB_OK) {
		fprintf(stderr, "uptime-admin: no team %s\n", team);
		return 1;
	}
	memset(&pg, 0, sizeof(pg));
	pg.perpage = INT_MAX - 1;
	page_start(&l, &pg, time_now_ms());
	rc = apikey_list(db, team, KEY_ALL, &l);
	keys = page_json(&l);
	page_free(&l);
	printf("id  prefix  status  expires  scopes  name\n");
	cJSON_ArrayForEach(k, keys)
		print_key(k);
	cJSON_Delete(keys);
	return rc == DB_OK ? 0 : 1;
}

static int
key_revoke(struct db *db, int argc, char **argv)
{
	struct apikey	 k;

	if (argc != 3)
		return usage("key revoke needs the key id");
	if (apikey_find(db, argv[2], &k) != DB_OK) {
		fprintf(stderr, "uptime-admin: no key %s\n", argv[2]);
		return 1;
	}
	if (k.revoked_at == 0 && apikey_revoke(db, &k, time_now_ms()) != DB_OK)
		return 1;
	fprintf(stderr, "uptime-admin: key %s is revoked\n", k.id);
	return 0;
}

static int
cmd_key(int argc, char **argv)
{
	struct db	*db;
	int		 rc;

	if (argc < 2)
		return usage("key takes: create, list or revoke");
	if (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "revoke") != 0)
		return usage("key takes: create, list or revoke");
	if (load_secret() == -1 || (db = open_db(1)) == NULL)
		return 1;
	if (strcmp(argv[1], "create") == 0)
		rc = key_create(db, argc, argv);
	else if (strcmp(argv[1], "list") == 0)
		rc = key_list(db, argc, argv);
	else
		rc = key_revoke(db, argc, argv);
	db_close(db);
	return rc;
}

static int
cmd_backup(int argc, char **argv)
{
	struct db	*db;
	char		 err[1024];
	int		 rc = 0;

	if (argc != 2)
		return usage("backup needs the path of a new file");
	if ((db = open_db(1)) == NULL)
		return 1;
	if (db_backup(db, argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-admin: %s\n", err);
		rc = 1;
	} else
		fprintf(stderr, "uptime-admin: wrote %s\n", argv[1]);
	db_close(db);
	return rc;
}

/*
 * copy --to URI: the SQLite database UPTIME_DB into the empty PostgreSQL
 * database URI, brought to this program's schema first (docs/scale-out.md).
 */
static int
cmd_copy(int argc, char **argv)
{
	struct db	*from, *to;
	char		 err[1024];
	int		 rc = 1;

	if (argc != 3 || strcmp(argv[1], "--to") != 0)
		return usage("copy takes: --to postgresql://...");
	if (!db_is_uri(argv[2]))
		return usage("copy --to takes a postgresql:// or postgres:// "
		    "URI");
	if (db_is_uri(cfg.db)) {
		fprintf(stderr, "uptime-admin: UPTIME_DB is already a "
		    "PostgreSQL database; copy reads a SQLite file\n");
		return 1;
	}
	if ((from = open_db(0)) == NULL)
		return 1;
	if ((to = db_open(argv[2], 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "uptime-admin: %s\n", err);
		db_close(from);
		return 1;
	}
	if (db_copy(from, to, stderr, err, sizeof(err)) == -1)
		fprintf(stderr, "uptime-admin: copy: %s; the target is as it "
		    "was\n", err);
	else {
		fprintf(stderr, "uptime-admin: copied %s into the PostgreSQL "
		    "database; point UPTIME_DB at it on every node, with the "
		    "same UPTIME_SECRET_FILE\n", cfg.db);
		rc = 0;
	}
	db_close(to);
	db_close(from);
	return rc;
}

/* The user config check judges access for: uid, gid and groups. */
struct who {
	char	 name[256];
	uid_t	 uid;
	gid_t	 groups[64];
	int	 ngroups;
};

static int
who_set(struct who *w, const char *name)
{
	struct passwd	*pw;

	pw = name != NULL ? getpwnam(name) : getpwuid(geteuid());
	if (pw == NULL)
		return -1;
	snprintf(w->name, sizeof(w->name), "%s", pw->pw_name);
	w->uid = pw->pw_uid;
	w->ngroups = sizeof(w->groups) / sizeof(w->groups[0]);
	if (getgrouplist(pw->pw_name, pw->pw_gid, w->groups,
	    &w->ngroups) == -1)
		w->ngroups = sizeof(w->groups) / sizeof(w->groups[0]);
	return 0;
}

/* Whether w may do want (R_OK, W_OK, X_OK bits) to a file of sb, by
 * its owner, group and mode (ACLs are not read). */
static int
who_may(const struct who *w, const struct stat *sb, int want)
{
	mode_t	 bits;
	int	 i;

	if (w->uid == 0)
		return !(want & X_OK) || S_ISDIR(sb->st_mode) ||
		    (sb->st_mode & 0111) != 0;
	if (sb->st_uid == w->uid)
		bits = (sb->st_mode >> 6) & 7;
	else {
		bits = sb->st_mode & 7;
		for (i = 0; i < w->ngroups; i++)
			if (w->groups[i] == sb->st_gid) {
				bits = (sb->st_mode >> 3) & 7;
				break;
			}
	}
	return ((mode_t)want & bits) == (mode_t)want;
}

/* The files the programs make beside the database (lib/db.c's WAL,
 * lib/ratelimit.c's table, lib/lock.c's locks of the cron programs). */
static const char *const db_companions[] = {
	"-wal", "-shm", ".ratelimit", ".check.lock", ".maintain.lock",
	".notify.lock",
};

struct check {
	struct who	 who;
	int		 problems;
};

static void check_problem(struct check *, const char *, ...) PRINTF(2, 3);

static void
check_problem(struct check *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("uptime-admin: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	c->problems++;
}

static void
check_report(void *arg, const char *msg)
{
	check_problem(arg, "%s", msg);
}

/* "name (uid N)" of a file's owner, in buf. */
static const char *
owner(const struct stat *sb, char *buf, size_t len)
{
	struct passwd	*pw = getpwuid(sb->st_uid);

	snprintf(buf, len, "%s%s(uid %ld)", pw ? pw->pw_name : "",
	    pw ? " " : "", (long)sb->st_uid);
	return buf;
}

static const char *
want_text(int want)
{
	return want == (R_OK | W_OK) ? "read and write" :
	    want == (W_OK | X_OK) ? "create files in" :
	    want & W_OK ? "write" : "read";
}

/*
 * Whether the checked user can reach path (search every folder above
 * it) and do want to it; name is the setting it comes from.  A missing
 * file is a problem when required, with hint (what makes it) said.
 */
static void
check_path(struct check *c, const char *name, const char *path, int want,
    int required, const char *hint)
{
	struct stat	 sb;
	char		 dir[1024], who[300];
	char		*slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(dir, &sb) == 0 && !who_may(&c->who, &sb, X_OK)) {
			check_problem(c, "%s: %s cannot reach %s: the folder %s "
			    "(owner %s, mode %04o) does not let it in", name,
			    c->who.name, path, dir, owner(&sb, who,
			    sizeof(who)), (unsigned)(sb.st_mode & 07777));
			return;
		}
		*slash = '/';
	}
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || required)
			check_problem(c, "%s: %s: %s%s%s%s", name, path,
			    strerror(errno), hint ? " (" : "",
			    hint ? hint : "", hint ? ")" : "");
		return;
	}
	if (!who_may(&c->who, &sb, want))
		check_problem(c, "%s: %s cannot %s %s (owner %s, mode %04o)",
		    name, c->who.name, want_text(want), path, owner(&sb, who,
		    sizeof(who)), (unsigned)(sb.st_mode & 07777));
}

/* A value as a line of the configuration file: quoted when its ends
 * would be misread. */
static void
print_setting(const char *name, const char *value, const char *from)
{
	size_t	 n = strlen(value);
	int	 quote = n > 0 && (strchr("\"' \t", value[0]) != NULL ||
		    strchr(" \t", value[n - 1]) != NULL);

	printf("%s=%s%s%s\t# %s\n", name, quote ? "\"" : "", value,
	    quote ? "\"" : "", from);
}

/*
 * config check [--user NAME]: every setting with its value and where it
 * came from on stdout (a password masked), then each problem on
 * stderr: a value refused, or a file the user (by default the one
 * running this) cannot use.  Exit 1 when there is a problem.
 */
static int
cmd_config(int argc, char **argv)
{
	struct check	 c;
	struct stat	 sb;
	const char	*name, *user = NULL, *secret = NULL;
	char		 value[1100], from[1100], dir[1024];
	size_t		 i;

	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return usage("config needs check");
	if (argc == 4 && strcmp(argv[2], "--user") == 0)
		user = argv[3];
	else if (argc != 2)
		return usage("config check takes only --user NAME");
	memset(&c, 0, sizeof(c));
	if (who_set(&c.who, user) == -1)
		return usage("--user names no user of this machine");

	config_check(check_report, &c);
	printf("# the settings as uptime's programs read them here; "
	    "checked as the user %s\n", c.who.name);
	if (cfg.file[0] != '\0')
		printf("# configuration file: %s\n", cfg.file);
	else
		printf("# no configuration file (%s)\n", getenv("UPTIME_CONFIG")
		    ? "UPTIME_CONFIG is empty" : CONFIG_DEFAULT_FILE
		    " does not exist");
	for (i = 0; (name = config_show(i, value, sizeof(value), from,
	    sizeof(from))) != NULL; i++) {
		print_setting(name, value, from);
		/* A password, masked, that came from the file. */
		if (strstr(value, "****") != NULL && strncmp(from, cfg.file,
		    strlen(cfg.file)) == 0 && from[strlen(cfg.file)] == ':')
			secret = name;
	}

	if (cfg.file[0] != '\0') {
		check_path(&c, "UPTIME_CONFIG", cfg.file, R_OK, 1, NULL);
		if (stat(cfg.file, &sb) == 0 && (sb.st_mode & 022) != 0)
			check_problem(&c, "UPTIME_CONFIG: %s may be changed by "
			    "users other than its owner (mode %04o): chmod "
			    "go-w it", cfg.file,
			    (unsigned)(sb.st_mode & 07777));
		if (stat(cfg.file, &sb) == 0 && (sb.st_mode & 004) != 0 &&
		    secret != NULL)
			check_problem(&c, "%s: its password is in %s, which "
			    "everyone may read (mode %04o): chmod o-r it, and "
			    "let the programs' user read it through the "
			    "file's group", secret, cfg.file,
			    (unsigned)(sb.st_mode & 07777));
	}
	/* A PostgreSQL database has no file here: init and the programs
	 * say what is wrong with the connection. */
	snprintf(dir, sizeof(dir), "%s", cfg.db);
	if (!db_is_uri(cfg.db)) {
		check_path(&c, "UPTIME_DB", dirname(dir), W_OK | X_OK, 1, NULL);
		check_path(&c, "UPTIME_DB", cfg.db, R_OK | W_OK, 1,
		    "uptime-admin init creates it");
	}
	for (i = 0; !db_is_uri(cfg.db) &&
	    i < sizeof(db_companions) / sizeof(db_companions[0]); i++) {
		snprintf(value, sizeof(value), "%s%s", cfg.db,
		    db_companions[i]);
		check_path(&c, "UPTIME_DB", value, R_OK | W_OK, 0, NULL);
	}
	check_path(&c, "UPTIME_SECRET_FILE", cfg.secret_file, R_OK, 1,
	    "uptime-admin init creates it");
	if (stat(cfg.secret_file, &sb) == 0 && (sb.st_mode & 077) != 0)
		check_problem(&c, "UPTIME_SECRET_FILE: %s must be readable by "
		    "its owner only (mode %04o): chmod 600 it",
		    cfg.secret_file, (unsigned)(sb.st_mode & 07777));
	if (cfg.ca_file[0] != '\0')
		check_path(&c, "UPTIME_CA_FILE", cfg.ca_file, R_OK, 1, NULL);

	if (c.problems == 0)
		fprintf(stderr, "uptime-admin: no problem found\n");
	else
		fprintf(stderr, "uptime-admin: %d problem%s found\n",
		    c.problems, c.problems == 1 ? "" : "s");
	return c.problems == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char	 err[1024];

	umask(077);
	if (argc < 2)
		return usage(NULL);
	/* Goes on past a bad setting, to show every one. */
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	if (config_load(err, sizeof(err)) == -1 ||
	    owner_adopt(argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "uptime-admin: %s\n", err);
		return 1;
	}
	if (sodium_init() == -1) {
		fprintf(stderr, "uptime-admin: libsodium cannot start\n");
		return 1;
	}
	if (strcmp(argv[1], "init") == 0 && argc == 2)
		return cmd_init();
	if (strcmp(argv[1], "migrate") == 0 && argc == 2)
		return cmd_migrate();
	if (strcmp(argv[1], "team") == 0)
		return cmd_team(argc - 1, argv + 1);
	if (strcmp(argv[1], "member") == 0)
		return cmd_member(argc - 1, argv + 1);
	if (strcmp(argv[1], "key") == 0)
		return cmd_key(argc - 1, argv + 1);
	if (strcmp(argv[1], "backup") == 0)
		return cmd_backup(argc - 1, argv + 1);
	if (strcmp(argv[1], "copy") == 0)
		return cmd_copy(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage("unknown command");
}
