// SPDX-License-Identifier: GPL-2.0
/*
 * insn_count: QEMU TCG plugin counting executed guest instructions, kernel
 * (virtual address with the top bit set) and user separately, for
 * `make bench` (scripts/bench.sh, bench/bench-guest.sh).
 *
 *   qemu-system-x86_64 -accel tcg,thread=single \
 *       -plugin bench/build/insn_count.so,out=FILE ...
 *
 * Every translated block gets its own counter, incremented inline each
 * time the block runs; its instructions are counts x block length.  A
 * snapshot is taken when the guest executes the marker of insn_mark.h in
 * user mode; it appends to FILE:
 *   S <seq> <kind> <kernel insns> <user insns>      every marker
 *   B <seq> <block vaddr hex> <insns>               kind BLOCKS only: each
 *        kernel block that ran since the last BASE marker, with its
 *        instructions since then
 * and "E <snapshots>" at exit.  The inline adds are not atomic: with
 * several vCPUs run QEMU with one TCG thread (thread=single) for exact
 * counts, which run-vm.sh --plugin does.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn_mark.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define KERNEL_BIT	(1ULL << 63)
#define CHUNK		4096	/* blocks per allocation: their addresses stay put */
#define MARK_LEN	7

struct block {
	uint64_t execs;		/* incremented inline by the translated code */
	uint64_t base;		/* execs at the last BASE marker */
	uint64_t vaddr;
	uint32_t n_insns;
};

struct chunk {
	struct chunk *next;
	unsigned int used;
	struct block b[CHUNK];
};

static struct chunk *chunks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;	/* chunk list */
static FILE *out;
static uint64_t seq;

static struct block *new_block(uint64_t vaddr, size_t n)
{
	struct block *b;

	pthread_mutex_lock(&lock);
	if (!chunks || chunks->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof(*c));

		if (!c) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		c->next = chunks;
		chunks = c;
	}
	b = &chunks->b[chunks->used++];
	b->vaddr = vaddr;
	b->n_insns = (uint32_t)n;
	pthread_mutex_unlock(&lock);
	return b;
}

static void snapshot(unsigned int vcpu, void *udata)
{
	unsigned int kind = (unsigned int)(uintptr_t)udata;
	uint64_t kern = 0, user = 0;
	struct chunk *c;
	unsigned int i;

	(void)vcpu;
	pthread_mutex_lock(&lock);
	for (c = chunks; c; c = c->next)
		for (i = 0; i < c->used; i++) {
			struct block *b = &c->b[i];

			if (b->vaddr & KERNEL_BIT)
				kern += b->execs * b->n_insns;
			else
				user += b->execs * b->n_insns;
		}
	fprintf(out, "S %" PRIu64 " %u %" PRIu64 " %" PRIu64 "\n", seq, kind, kern, user);
	for (c = chunks; c; c = c->next)
		for (i = 0; i < c->used; i++) {
			struct block *b = &c->b[i];

			if (kind == INSN_MARK_BLOCKS && (b->vaddr & KERNEL_BIT) &&
			    b->execs != b->base)
				fprintf(out, "B %" PRIu64 " %" PRIx64 " %" PRIu64 "\n", seq,
					b->vaddr, (b->execs - b->base) * b->n_insns);
			if (kind == INSN_MARK_BASE)
				b->base = b->execs;
		}
	fflush(out);
	seq++;
	pthread_mutex_unlock(&lock);
}

/* The marker's kind, or 0 if @insn is not a marker. */
static unsigned int marker_kind(const struct qemu_plugin_insn *insn)
{
	const unsigned char *p = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != MARK_LEN ||
	    (qemu_plugin_insn_vaddr(insn) & KERNEL_BIT) ||
	    p[0] != 0x0f || p[1] != 0x1f || p[2] != 0x80)
		return 0;
	memcpy(&disp, p + 3, sizeof(disp));	/* x86: little endian, as the host */
	if ((disp & ~0xffu) != INSN_MARK_MAGIC)
		return 0;
	disp &= 0xff;
	return disp >= INSN_MARK_TOTALS && disp <= INSN_MARK_BLOCKS ? disp : 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b = new_block(vaddr, n);

	(void)id;
	if (!b) {
		fprintf(stderr, "insn_count: out of memory, counts are incomplete\n");
		return;
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
	if (vaddr & KERNEL_BIT)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		unsigned int kind = marker_kind(insn);

		if (kind)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, snapshot,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)kind);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	fprintf(out, "E %" PRIu64 "\n", seq);
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "insn_count: x86_64 system emulation only\n");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else {
			fprintf(stderr, "insn_count: unknown argument '%s' (want out=FILE)\n",
				argv[i]);
			return -1;
		}
	}
	if (!path) {
		fprintf(stderr, "insn_count: out=FILE missing\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	fprintf(out, "# insn_count 1: S seq kind kernel user | B seq vaddr insns | E snapshots\n");
	fflush(out);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
