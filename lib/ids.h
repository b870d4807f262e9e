/*
 * ids.c: resource ids and random base62.
 */
#ifndef IDS_H
#define IDS_H

#include "base.h"

/* Write "<prefix>_<20 base62>" into out (ID_MAX bytes). */
void	 id_new(char *out, const char *prefix);
/* 1 if s is "<prefix>_" and 20 base62 characters, else 0. */
int	 id_valid(const char *s, const char *prefix);
/* Fill out[0..n) with random base62 characters (no NUL added). */
void	 base62_random(char *out, size_t n);

#endif /* IDS_H */
