/*
 * The limits named once and the attributes every module uses.
 */
#ifndef BASE_H
#define BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include <cjson/cJSON.h>

#define WUR __attribute__((warn_unused_result))
#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Limits named once. */
#define REQ_MAXBODY	(1024 * 1024)	/* request body cap, bytes */
#define REQ_MAXQUERY	4096		/* query string length */
#define REQ_MAXPARAMS	32		/* query parameters */
#define REQ_MAXPATH	2048		/* path length */
#define REQ_MAXPATHARGS	4		/* {id} captures per route */
#define REQ_MAXARG	64		/* a captured segment, NUL included */
#define REQID_MAX	64		/* X-Request-Id length */
#define ID_RANDLEN	20		/* random characters of an id */
#define ID_MAX		40		/* buffer for any id */
#define NAME_MAXCHARS	255		/* names: 1..255 characters */
#define NAME_MAXBYTES	(NAME_MAXCHARS * 4 + 1)
#define IP_MAX		64
#define PUBLIC_URL_MAX	512		/* UPTIME_PUBLIC_URL, NUL included */
#define PAGE_DEFAULT	50
#define PAGE_MAX	200
#define TIME_MAX	32		/* "2026-02-14T12:00:00.000Z" + NUL */

#endif /* BASE_H */
