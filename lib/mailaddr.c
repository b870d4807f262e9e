/*
 * Mail addresses and the UPTIME_SMTP_TLS modes: the syntax that the
 * settings (config.c) and the sender (mail.c) both check, below both.
 */
#include <string.h>

#include "mailaddr.h"

const char *const mail_tls_names[MAIL_TLS__MAX] = {
	"required", "loopback-plain", "opportunistic"
};

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int
is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

int
mail_addr_normalize(const char *in, char *out, size_t outlen)
{
	const char	*at, *p, *label;
	size_t		 n = strlen(in), i;

	if (n < 3 || n > MAIL_ADDR_MAX || n >= outlen ||
	    (at = strchr(in, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return -1;
	/* Local part: dot-atom, 1..64. */
	if (at == in || at - in > 64 || in[0] == '.' || at[-1] == '.')
		return -1;
	for (p = in; p < at; p++)
		if (!(is_atext((unsigned char)*p) ||
		    (*p == '.' && p[1] != '.')))
			return -1;
	/* Domain: labels of letters, digits and hyphens, 1..63 each. */
	label = at + 1;
	for (p = label; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return -1;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!is_ldh((unsigned char)*p))
			return -1;
	}
	for (i = 0; i <= n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' :
		    in[i];
	return 0;
}

int
mail_from_parse(const char *from, char *addr, size_t addrlen, char *name,
    size_t namelen)
{
	const char	*lt = strchr(from, '<');
	char		 a[MAIL_ADDR_MAX + 1];
	size_t		 n, alen;

	if (lt == NULL) {
		if (namelen > 0)
			name[0] = '\0';
		return mail_addr_normalize(from, addr, addrlen);
	}
	alen = strlen(lt + 1);
	if (alen < 2 || lt[alen] != '>' || alen - 1 > MAIL_ADDR_MAX)
		return -1;
	memcpy(a, lt + 1, alen - 1);
	a[alen - 1] = '\0';
	for (n = (size_t)(lt - from); n > 0 && from[n - 1] == ' '; n--)
		continue;
	while (n > 0 && *from == ' ')
		from++, n--;
	if (n >= namelen)
		return -1;
	memcpy(name, from, n);
	name[n] = '\0';
	return mail_addr_normalize(a, addr, addrlen);
}
