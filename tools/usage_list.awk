# SPDX-License-Identifier: GPL-2.0
# The items of a "HEAD := { a | b { x | y } | c }" list of ftpalgctl's usage
# text, one a line: their first words (a, b, c), so that the tests read the
# commands and keys from the tables that print them.
# Usage: ftpalgctl help | awk -v head="KEY VALUE" -f usage_list.awk
index($0, head " := ") == 1 { on = 1; $0 = substr($0, length(head) + 5) }
on {
	for (i = 1; i <= NF; i++) {
		if ($i == "{") {
			if (++depth == 1)
				want = 1
		} else if ($i == "}") {
			if (--depth == 0)
				on = 0
		} else if ($i == "|") {
			if (depth == 1)
				want = 1
		} else if (want) {
			print $i
			want = 0
		}
	}
}
