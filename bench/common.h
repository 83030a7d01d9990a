/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the load generator and the responder. */
#ifndef FTPALG_BENCH_COMMON_H
#define FTPALG_BENCH_COMMON_H

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* Pin the calling thread to CPU (base + idx) mod the online CPUs; base < 0: don't. */
static void pin_thread(const char *who, int base, int idx)
{
	cpu_set_t set;
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (base < 0 || n <= 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((base + idx) % n, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		fprintf(stderr, "%s: cannot pin thread %d\n", who, idx);
}

#endif /* FTPALG_BENCH_COMMON_H */
