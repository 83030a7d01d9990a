/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the instruction counter (insn_count.c, a QEMU TCG plugin):
 * a user-mode marker instruction at which the plugin writes a snapshot of
 * its counters.  The marker is a 7-byte "nopl disp32(%rax)" whose
 * displacement carries a magic and the snapshot kind; without the plugin
 * (or on real hardware) it is an ordinary no-op that touches no memory.
 */
#ifndef FTPALG_BENCH_INSN_MARK_H
#define FTPALG_BENCH_INSN_MARK_H

#define INSN_MARK_MAGIC		0x4654a100u	/* low byte: the kind */
#define INSN_MARK_TOTALS	1	/* kernel and user totals */
#define INSN_MARK_BASE		2	/* totals; per-block counts start here */
#define INSN_MARK_BLOCKS	3	/* totals and per-block counts since BASE */

#define INSN_MARK_ASM(kind)						\
	asm volatile(".byte 0x0f, 0x1f, 0x80\n\t.long %c0"		\
		     : : "i" (INSN_MARK_MAGIC | (kind)) : "memory")

/* Executed markers, for the caller to report (the host pairs them up). */
static unsigned int insn_marks;

static inline void insn_mark(int kind)
{
	switch (kind) {
	case INSN_MARK_BASE:
		INSN_MARK_ASM(INSN_MARK_BASE);
		break;
	case INSN_MARK_BLOCKS:
		INSN_MARK_ASM(INSN_MARK_BLOCKS);
		break;
	default:
		INSN_MARK_ASM(INSN_MARK_TOTALS);
		break;
	}
	insn_marks++;
}

#endif /* FTPALG_BENCH_INSN_MARK_H */
