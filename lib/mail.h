/*
 * mail.c: outgoing mail over SMTP (libcurl), and the outbox that records
 * every attempt.  Used by invite.c for invitations and by notify.c for
 * alerts (the notifier).
 *
 * The program must call curl_global_init() once before the first send.
 * Strings passed in are borrowed for the duration of the call.
 */
#ifndef MAIL_H
#define MAIL_H

#include "base.h"
#include "buf.h"
#include "db.h"
#include "mailaddr.h"

#define MAIL_SUBJECT_MAX 512		/* a subject, bytes */
#define MAIL_BODY_MAX	(256 * 1024)	/* a body, bytes */
#define MAIL_TIMEOUT_MS	10000		/* a whole SMTP exchange */
#define MAIL_CONNECT_MS	5000		/* its connection */

/*
 * Must a send through url (an smtp:// or smtps:// URL) be encrypted
 * under mode?  1 or 0.  Loopback means the URL's host is an address of
 * 127.0.0.0/8 or ::1, or the name localhost (which libcurl resolves to
 * those itself); any other name is not, whatever it resolves to.
 */
int	 mail_tls_required(const char *url, enum mail_tls mode);

enum mail_status {
	MAIL_SENT,		/* the server accepted the message */
	MAIL_FAILED,		/* it did not; the outbox has the reason */
	MAIL_NOT_CONFIGURED,	/* UPTIME_SMTP_URL is empty: nothing tried */
	MAIL_STATUS__MAX
};
extern const char *const mail_status_names[MAIL_STATUS__MAX];

/*
 * Build a whole message into out (appended): Date (from now), From, To,
 * Subject (RFC 2047 encoded when not plain ASCII), Message-ID,
 * MIME-Version, Content-Type text/plain; charset=utf-8,
 * Content-Transfer-Encoding (7bit for short ASCII lines, else
 * quoted-printable), then the body with CRLF line endings.  Refuses CR,
 * LF and other control characters in header values, invalid UTF-8,
 * and values over their limits: -1 with a message in err.
 */
int	 mail_build(struct buf *out, const char *from, const char *to,
	    const char *subject, const char *body, int64_t now, char *err,
	    size_t errlen) WUR;

/*
 * Send one message to one address through UPTIME_SMTP_URL, from
 * UPTIME_MAIL_FROM, within MAIL_TIMEOUT_MS; proxy variables are ignored.
 * Encrypted as UPTIME_SMTP_TLS says (mail_tls_required): a server that
 * offers no STARTTLS then gets nothing past EHLO.  0 when the server
 * accepted it, else -1 with the reason in err (never the URL, which may
 * hold a password).
 */
int	 mail_send(const char *to, const char *subject, const char *body,
	    char *err, size_t errlen) WUR;

/*
 * Send when mail is configured and record the attempt in mail_outbox
 * (team may be NULL; kind such as "invite"; ref the object it is about,
 * or NULL).  Call it outside any write transaction: the send takes
 * network time and the row is written on its own.  Returns what
 * happened; failing to write the row is only logged.
 */
enum mail_status mail_deliver(struct db *, const char *team,
	    const char *kind, const char *ref, const char *to,
	    const char *subject, const char *body);

/*
 * mail_deliver after the answer: the message is kept (a copy of each
 * string) until mail_flush, which the request loop calls once the
 * answer is out (lib/request.c), so the time the mail server takes does
 * not show in the answer: a forgotten password's page says nothing of
 * whether the address is a member's.  At most MAIL_LATER_MAX wait; -1
 * when full or out of memory (nothing kept), else 0.
 */
#define MAIL_LATER_MAX	16
int	 mail_later(const char *team, const char *kind, const char *ref,
	    const char *to, const char *subject, const char *body) WUR;

/* Deliver (mail_deliver) the messages mail_later kept, oldest first, and
 * forget them, their text wiped. */
void	 mail_flush(struct db *);

/* s into out with its control characters made spaces, for a header or
 * a line of a mail's text (a team's name). */
void	 mail_text_clean(const char *s, char *out, size_t outlen);

#endif /* MAIL_H */
