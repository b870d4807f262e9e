/*
 * Fuzz target: URL validation of monitor and webhook targets.  The
 * input is the URL as a client puts it in a body (cut at a NUL); it goes
 * through target_url_acceptable() both with and without private
 * targets allowed, and through the pieces it is made of.  Nothing is
 * resolved or connected to.
 */
#include "fuzz.h"
#include "uptime.h"
#include "target.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*u = fuzz_str(data, size);
	char	 err[256];
	int	 ok, open_ok;

	fuzz_world();
	ok = target_url_acceptable(u, 0, err, sizeof(err)) == 0;
	open_ok = target_url_acceptable(u, 1, err, sizeof(err)) == 0;
	/* Allowing private targets can only widen what is accepted. */
	if (ok && !open_ok)
		abort();
	if (target_url_check(u, err, sizeof(err)) == 0 && !open_ok)
		abort();
	(void)target_url_private(u);
	(void)target_name_private(u);
	free(u);
	return 0;
}
