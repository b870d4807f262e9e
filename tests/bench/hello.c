/*
 * hello: the smallest FastCGI responder, the reference `make bench`
 * measures the programs against.  It answers every request with a plain
 * "OK", using fcgiapp directly, as lib/request.c does, and touches
 * nothing else: no configuration, no database, no routing.  Whatever the
 * real programs cost beyond this is their own work.
 */
#include <stdio.h>

#include <fcgiapp.h>

int
main(void)
{
	static const char	 answer[] = "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 2\r\n"
	    "\r\n"
	    "OK";
	FCGX_Request		 fr;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		fprintf(stderr, "hello: cannot start FastCGI\n");
		return 1;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
