/*
 * buf.c: a growing byte buffer.
 */
#ifndef BUF_H
#define BUF_H

#include "base.h"

struct buf {
	char	*p;		/* NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

int	 buf_add(struct buf *, const void *, size_t) WUR;
int	 buf_puts(struct buf *, const char *) WUR;
int	 buf_printf(struct buf *, const char *, ...) PRINTF(2, 3) WUR;
void	 buf_free(struct buf *);

#endif /* BUF_H */
