/*
 * invitepage.c: the page an invitation link opens.
 */
#ifndef INVITEPAGE_H
#define INVITEPAGE_H

/*
 * The page behind an invitation link (acceptUrl, the token in its
 * fragment): a whole HTML document that posts the token and a name to
 * its own path.  A constant; never freed.
 */
const char	*invite_page_html(void);
/* Its Content-Security-Policy: its own script and style, by hash, and
 * requests to its origin only.  A constant. */
const char	*invite_page_csp(void);

#endif /* INVITEPAGE_H */
