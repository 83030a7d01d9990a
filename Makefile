# SPDX-License-Identifier: GPL-2.0
# nf_conntrack_ftpalg: FTP application-layer gateway for netfilter.
#
#   make                 build the module (and tools) for KERNELRELEASE
#                        (default: the running kernel, uname -r)
#   make install         install into /lib/modules/$(KERNELRELEASE)/extra
#   make dkms-install    copy the sources to /usr/src for dkms
#   make check           every test: unit, lint, DKMS, selftests in a VM
#   make demo            FTP through a NAT router with the ALG, in a VM
#   make check-debug     every selftest on a KASAN/lockdep/kmemleak kernel
#                        (TESTS="ftpalg_x.sh ..." for some of them)
#   make bench           ftpalg against nf_conntrack_ftp, in a VM
#   make fuzz            libFuzzer runs over the parser and session logic
#   make kernels         W=1 build against Debian's kernels 5.10 to newest
#                        (KERNELS="6.1.0-53-amd64 ..." for some of them)

# The running kernel unless KERNELRELEASE or KDIR is given.  The VM tests
# boot the newest installed kernel with headers instead (scripts/deps.sh).
KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
VM_KERNELRELEASE = $(shell scripts/deps.sh --kernel-release)
NAME := nf_conntrack_ftpalg
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DESTDIR ?=
PREFIX ?= /usr

# What `make dkms-install` ships: the module sources and nothing else.
DKMS_SOURCES := Kbuild Makefile dkms.conf kmod/Kbuild \
		$(wildcard include/*.h include/uapi/linux/*.h) \
		$(filter-out %.mod.c,$(wildcard kmod/*.[ch])) \
		$(wildcard kmod/probe/*.c) \
		scripts/deps.sh

HAVE_TOOLS := $(wildcard tools/Makefile)

all: module $(if $(HAVE_TOOLS),tools)

module:
	@test -d $(KDIR)/ || { echo "no kernel headers in $(KDIR): install" \
		"linux-headers-$(KERNELRELEASE), or give KERNELRELEASE= or KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=extra modules_install
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE))
	$(if $(HAVE_TOOLS),$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX))

dkms-install:
	install -d $(DESTDIR)/usr/src/$(NAME)-$(VERSION)
	for f in $(DKMS_SOURCES); do \
		install -D -m 0644 $$f $(DESTDIR)/usr/src/$(NAME)-$(VERSION)/$$f || exit 1; \
	done
	chmod 0755 $(DESTDIR)/usr/src/$(NAME)-$(VERSION)/scripts/deps.sh

dkms-uninstall:
	-dkms remove -m $(NAME) -v $(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/$(NAME)-$(VERSION)

deps:
	scripts/deps.sh

unit:
	$(MAKE) -C tests/unit run

# Warning-free under W=1, sparse and checkpatch --strict.
lint:
	scripts/lint.sh $(if $(filter command line environment,$(origin KDIR) \
		$(origin KERNELRELEASE)),$(KDIR))

selftests:
	$(MAKE) module KERNELRELEASE=$(VM_KERNELRELEASE)
	$(MAKE) -C selftests run_vm_tests

check:
	scripts/check.sh

demo:
	scripts/demo.sh

check-debug:
	scripts/check-debug.sh $(TESTS)

bench:
	scripts/bench.sh

fuzz:
	$(MAKE) -C tests/fuzz run

kernels:
	scripts/kernels.sh $(KERNELS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tests/unit clean
	$(if $(HAVE_TOOLS),-$(MAKE) -C tools clean)

.PHONY: all module tools install dkms-install dkms-uninstall deps unit lint \
	selftests check demo check-debug bench fuzz kernels clean
