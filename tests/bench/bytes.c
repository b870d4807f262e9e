/*
 * bytes: the reference `make bench` measures each API route against: a
 * FastCGI responder that answers the exact bytes the route answered,
 * from memory.  GET /bytes/<file> answers the bytes of that file of the
 * directory named by BENCH_BYTES_DIR (the body of one route's answer,
 * captured by the bench), as application/json, or text/html when the
 * name ends in ".html"; each file is read once, at its first request.  What a
 * route costs beyond this is its own work; what this costs beyond hello
 * is carrying the bytes (lighttpd and wrk copy and parse every one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#define MAXFILES	32
#define MAXSIZE		(4 * 1024 * 1024)

struct answer {
	char	 name[64];
	char	*p;		/* the headers and the body */
	size_t	 len;
};

static struct answer	 answers[MAXFILES];
static size_t		 nanswers;

/* Load dir/name as one whole answer; 0 or -1. */
static int
load(const char *dir, const char *name)
{
	struct answer	*a = &answers[nanswers];
	char		 path[1024], head[256];
	const char	*ctype, *dot;
	FILE		*f;
	char		*body;
	size_t		 n;
	int		 hn;

	if (nanswers == MAXFILES || strlen(name) >= sizeof(a->name))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((body = malloc(MAXSIZE)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(body, 1, MAXSIZE, f);
	fclose(f);
	dot = strrchr(name, '.');
	ctype = dot != NULL && strcmp(dot, ".html") == 0 ? "text/html" :
	    "application/json";
	hn = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: %s; charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
	    ctype, n);
	if ((a->p = malloc((size_t)hn + n)) == NULL) {
		free(body);
		return -1;
	}
	memcpy(a->p, head, (size_t)hn);
	memcpy(a->p + hn, body, n);
	a->len = (size_t)hn + n;
	free(body);
	snprintf(a->name, sizeof(a->name), "%s", name);
	nanswers++;
	return 0;
}

int
main(void)
{
	static const char	 notfound[] = "Status: 404 Not Found\r\n"
	    "Content-Length: 0\r\n\r\n";
	const char		*dir = getenv("BENCH_BYTES_DIR"), *uri, *name;
	FCGX_Request		 fr;
	size_t			 i;

	if (dir == NULL || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, 0, 0) != 0) {
		fprintf(stderr, "bytes: no BENCH_BYTES_DIR or no FastCGI\n");
		return 1;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		uri = FCGX_GetParam("REQUEST_URI", fr.envp);
		name = uri != NULL && strncmp(uri, "/bytes/", 7) == 0 ?
		    uri + 7 : "";
		for (i = 0; i < nanswers; i++)
			if (strcmp(answers[i].name, name) == 0)
				break;
		if (i == nanswers && (*name == '\0' || strchr(name, '/') ||
		    name[0] == '.' || load(dir, name) == -1))
			FCGX_PutStr(notfound, (int)sizeof(notfound) - 1,
			    fr.out);
		else
			FCGX_PutStr(answers[i].p, (int)answers[i].len, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
