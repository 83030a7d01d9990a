/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the fuzz targets: an invariant that aborts with its text. */
#ifndef FTPALG_FUZZ_H
#define FTPALG_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
			__LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif /* FTPALG_FUZZ_H */
