# boxstep — build a Linux container one layer at a time.
#
#   sudo make run     install what is missing, build, build the rootfs, start
#   sudo make test    the whole suite: unit, root integration, cgroup v2 VM
#
# Knobs: V=1 (show commands), PREFIX, DESTDIR, CC, CFLAGS.

VERSION  = 0.1
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/boxstep
MANDIR   = $(PREFIX)/share/man/man1

CC      ?= cc
CFLAGS  ?= -O2 -g
# snprintf truncation is checked where it matters; GCC cannot see that.
WARN     = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
           -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CPPFLAGS = -Isrc -DBOXSTEP_VERSION='"$(VERSION)"' \
           -DBOXSTEP_DATADIR='"$(DATADIR)"'
LDLIBS   = -lreadline -lncursesw -lvterm -lpthread -lcap -lseccomp
# Every symbol bound at start (and the GOT read-only, full RELRO): lazily
# bound, each container's child resolved afresh, in its own copy of
# boxstep, each libc call it makes first (13 page faults a container).
LDNOW    = -Wl,-z,relro,-z,now

# Debian packages: what `run` needs, and what the tests add.
DEPS_RUN  = gcc make libc6-dev libreadline-dev libncurses-dev libvterm-dev \
            libcap-dev libseccomp-dev busybox-static runc
DEPS_TEST = $(DEPS_RUN) libcmocka-dev tmux qemu-system-x86 util-linux jq asciinema groff-base \
            procps valgrind clang strace shellinabox chromium python3-websocket \
            dpkg-dev iproute2 umoci skopeo crun

ifeq ($(V),1)
Q =
else
Q = @
endif

B        = build
# src/FOLDER/NAME.c, one folder per stage of the architecture (see
# docs/architecture.md); every source file is part of boxstep.
SRCS     = $(sort $(wildcard src/*/*.c))
OBJS     = $(SRCS:src/%.c=$(B)/%.o)
# The folder a module NAME lives in, for the unit tests' rules.
src_of   = $(wildcard src/*/$(1).c)
UNITS    = output text plan layers cmdline cgroup mountinfo hostview lesson capture progress cast present image \
           event command classconf filecache room mirror
UNIT_BIN = $(UNITS:%=$(B)/test_%)
ROOTFS   = rootfs/busybox

# Unit tests replace libc calls with --wrap, which needs real calls.
TEST_CFLAGS = -O0 -g -fno-builtin -U_FORTIFY_SOURCE

.PHONY: all deps deps-run rootfs run test unit integration vmtest asan \
        fuzz memcheck bench install uninstall deb clean

all: boxstep

boxstep: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(LDNOW) -o $@ $(OBJS) $(LDLIBS)

$(B)/%.o: src/%.c | $(B)
	@echo "  CC      $<"
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(B):
	$(Q)mkdir -p $(B)

-include $(wildcard $(B)/*/*.d)

# --- dependencies ---------------------------------------------------------

deps-run:
	$(Q)sh tests/deps.sh $(DEPS_RUN)

deps:
	$(Q)sh tests/deps.sh $(DEPS_TEST)

# --- the default root filesystem -----------------------------------------

rootfs: $(ROOTFS)/bin/busybox

$(ROOTFS)/bin/busybox: rootfs/build.sh $(wildcard rootfs/src/*.c) \
		$(wildcard rootfs/skel/etc/*)
	$(Q)sh rootfs/build.sh $(ROOTFS)

run: deps-run all rootfs
	./boxstep

# --- tests ----------------------------------------------------------------

.SECONDEXPANSION:
$(B)/test_%: tests/unit/test_%.c $$(call src_of,$$*) $(B)/base/fsutil.o \
		$(B)/base/msg.o $(B)/base/capnames.o | $(B)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(TEST_CFLAGS) $(TEST_SAN) $(WARN) \
	    -Wno-missing-prototypes -DFIXTURES='"$(CURDIR)/tests/fixtures"' \
	    -o $@ $^ $(TEST_LDFLAGS_$*) -lcmocka -lcap -lseccomp

TEST_LDFLAGS_cgroup = -Wl,--wrap=kill -Wl,--wrap=mkdir -Wl,--wrap=rmdir
# The layers, and what of host/ their steps call on.
LAYER_SRCS = $(sort $(wildcard src/layers/*.c)) src/host/cgroup.c \
             src/host/cgroup_find.c src/host/cgroup_stats.c \
             src/host/cgroup_session.c src/host/hostview_parse.c \
             src/host/mountinfo.c src/host/mounts.c src/host/orphans.c \
             src/host/kernel.c src/base/jsonw.c src/base/text.c
LAYER_OBJS = $(LAYER_SRCS:src/%.c=$(B)/%.o)
$(B)/test_cgroup: $(B)/host/cgroup_find.o $(B)/host/cgroup_stats.o \
		$(B)/host/cgroup_session.o $(B)/host/hostview_parse.o
$(B)/test_hostview: $(B)/base/filecache.o $(B)/host/hostname.o $(B)/host/mountinfo.o $(B)/host/cgroup.o \
		$(B)/host/cgroup_find.o $(B)/host/cgroup_stats.o \
		$(B)/host/hostview_parse.o $(B)/host/hostview_format.o
$(B)/test_plan: $(filter-out $(B)/layers/plan.o,$(LAYER_OBJS)) $(B)/base/json.o
$(B)/test_layers: $(filter-out $(B)/layers/layers.o,$(LAYER_OBJS))
$(B)/test_lesson: $(B)/base/cmdline.o $(B)/lessons/lesson_check.o \
		$(LAYER_OBJS)
$(B)/test_cast: $(B)/base/text.o
$(B)/test_mirror: $(B)/session/room.o $(B)/base/text.o
$(B)/test_room: $(B)/base/text.o
$(B)/test_image: $(B)/base/json.o $(B)/base/text.o $(B)/base/tar.o $(B)/engine/image_archive.o \
		$(B)/engine/image_fs.o $(B)/engine/image_layer.o \
		$(B)/engine/image_store.o
$(B)/test_classconf: $(B)/base/text.o $(B)/layers/settings.o \
		$(B)/layers/plan.o $(B)/host/kernel.o
# The command table as boxstep builds it: every stage below app/.
$(B)/test_command: $(filter-out $(B)/app/% $(B)/session/command.o,$(OBJS))
TEST_LDFLAGS_command = $(LDLIBS)

unit: $(UNIT_BIN)
	$(Q)fail=0; for t in $(UNIT_BIN); do ./$$t || fail=1; done; exit $$fail

integration: all rootfs
	$(Q)bash tests/integration/run.sh ./boxstep
	$(Q)bash tests/integration/bad-input.sh ./boxstep
	$(Q)bash tests/integration/hardening.sh ./boxstep

vmtest: all rootfs
	$(Q)bash tests/vm/run.sh ./boxstep

# The integration suites, in the order they run; each is
# tests/integration/NAME.sh BOXSTEP.  `suite` prints each one's time.
SUITES = run golden bad-input faults image hardening hostview privileges runtime \
         lessons runner \
         learner present tty tui rootless class browser
suite = s=$$(date +%s); $(2) || exit 1; echo "== $(1): $$(( $$(date +%s) - s )) s"

test: deps all rootfs
	$(Q)$(call suite,structure,bash tests/structure.sh --self-test && bash tests/structure.sh)
	$(Q)$(call suite,unit,$(MAKE) --no-print-directory unit)
	$(Q)for t in $(SUITES); do \
	    $(call suite,$$t,bash tests/integration/$$t.sh ./boxstep); done
	$(Q)$(call suite,install,bash tests/integration/install.sh)
	$(Q)$(call suite,docs,bash tests/integration/docs.sh ./boxstep)
	$(Q)$(call suite,vm,bash tests/vm/run.sh ./boxstep)

# The whole suite under AddressSanitizer and UBSan, built apart in
# build/asan.  Every report goes to a log in $(SANLOG); any log fails.
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
      -fno-sanitize-recover=undefined
SANLOG = /tmp/boxstep-sanitizers
SANENV = ASAN_OPTIONS=detect_leaks=1:log_path=$(SANLOG)/asan \
         UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SANLOG)/ubsan \
         BOXSTEP_ROOTFS=$(CURDIR)/$(ROOTFS) BOXSTEP_LESSONS=$(CURDIR)/lessons
asan: deps rootfs
	$(Q)rm -rf $(SANLOG) && mkdir -m 1777 $(SANLOG)
	$(Q)$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g $(SAN)" \
	    TEST_SAN="$(SAN)" build/asan/boxstep unit
	$(Q)for t in $(SUITES); do $(call suite,asan $$t,$(SANENV) \
	    bash tests/integration/$$t.sh build/asan/boxstep); done
	$(Q)$(call suite,asan vm,$(SANENV) bash tests/vm/run.sh build/asan/boxstep)
	$(Q)if ls $(SANLOG)/* >/dev/null 2>&1; then cat $(SANLOG)/*; \
	    echo "asan: the sanitizers reported errors (above)"; exit 1; fi
	@echo "asan: no sanitizer reports"

build/asan/boxstep: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(LDNOW) -o $@ $(OBJS) $(LDLIBS)

# libFuzzer targets for the parsers, each run for FUZZ_TIME seconds from
# the seeds in tests/fuzz/corpus/ (and every input that once crashed, in
# tests/fuzz/regress/, first).  Needs clang.
FUZZERS   = lesson cmdline mountinfo proc tar json event mirror
FUZZ_TIME ?= 60
FUZZ_CC   = clang
FUZZ_SAN  = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC_lesson    = src/lessons/lesson.c src/lessons/lesson_check.c \
                     src/base/cmdline.c src/base/capnames.c $(LAYER_SRCS)
FUZZ_LIBS_lesson   = -lcap -lseccomp
FUZZ_SRC_cmdline   = src/base/cmdline.c
FUZZ_SRC_mountinfo = src/host/mountinfo.c
FUZZ_SRC_proc      = src/host/hostview.c src/host/hostview_parse.c src/host/hostname.c src/base/filecache.c \
                     src/host/mountinfo.c src/host/cgroup.c \
                     src/host/cgroup_find.c src/host/cgroup_stats.c
FUZZ_SRC_tar       = src/base/tar.c src/engine/image_fs.c
FUZZ_SRC_json      = src/base/json.c src/base/text.c
FUZZ_SRC_event     = src/session/event.c
FUZZ_SRC_mirror    = src/ui/mirror.c src/session/room.c src/base/text.c
FUZZ_BIN  = $(FUZZERS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard src/*/*.[ch])
	@mkdir -p build/fuzz
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -g -O1 $(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_SRC_$*) src/base/fsutil.c src/base/msg.c -lpthread $(FUZZ_LIBS_$*)

# The targets run side by side, FUZZ_JOBS at a time (one per core).
FUZZ_JOBS ?= $(shell nproc)
fuzz: $(FUZZ_BIN)
	$(Q)printf '%s\n' $(FUZZERS) | \
	    xargs -P $(FUZZ_JOBS) -I{} sh tests/fuzz/run.sh {} $(FUZZ_TIME) || \
	    { echo "fuzz: a target failed (above)"; exit 1; }
	@echo "fuzz: no crash in $(FUZZERS)"

# valgrind's memcheck over the batch-mode suites (run, bad-input): every boxstep process
# (the supervisor, the session, and the children that do not exec) is
# checked for errors and definite leaks; any report fails.
VGLOG = /tmp/boxstep-valgrind
# valgrind does not know openat2 (syscall 437): it says so, the importer
# gets ENOSYS and walks the path itself.  That notice, and only it, is
# not a report.
VGKNOWN = ^--[0-9]+-- (WARNING: unhandled amd64-linux syscall: 437|You may be able to write your own handler|Read the file README_MISSING_SYSCALL_OR_IOCTL|Nevertheless we consider this a bug|it at http://valgrind.org/support/bug_reports.html)|^==[0-9]+== *$$
memcheck: deps all rootfs
	$(Q)rm -rf $(VGLOG) && mkdir -m 1777 $(VGLOG)
	$(Q)printf '#!/bin/sh\nexec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$(VGLOG)/vg.%%p $(CURDIR)/boxstep "$$@"\n' >$(VGLOG)/boxstep
	$(Q)chmod 755 $(VGLOG)/boxstep
	$(Q)BOXSTEP_ROOTFS=$(CURDIR)/$(ROOTFS) bash tests/integration/run.sh $(VGLOG)/boxstep
	$(Q)BOXSTEP_ROOTFS=$(CURDIR)/$(ROOTFS) bash tests/integration/bad-input.sh $(VGLOG)/boxstep
	$(Q)BOXSTEP_ROOTFS=$(CURDIR)/$(ROOTFS) bash tests/integration/image.sh $(VGLOG)/boxstep
	$(Q)if cat $(VGLOG)/vg.* | grep -v -E "$(VGKNOWN)" | grep -q .; then \
	    for f in $(VGLOG)/vg.*; do [ -s $$f ] && cat $$f; done; \
	    echo "memcheck: valgrind reported errors (above)"; exit 1; fi
	@echo "memcheck: no valgrind report"

# The floor under boxstep's container start: the same kernel calls in a
# loop of their own (bench/bench.sh's third row).
$(B)/bench-minimal: bench/minimal.c | $(B)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(WARN) -o $@ $<

bench: all rootfs $(B)/bench-minimal
	$(Q)bash bench/bench.sh ./boxstep $(B)/bench-minimal
	$(Q)bash bench/pane.sh ./boxstep
	$(Q)bash bench/forkbomb.sh ./boxstep
	$(Q)bash bench/room.sh ./boxstep
	$(Q)bash bench/classroom.sh ./boxstep

# --- install --------------------------------------------------------------

install: all rootfs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)
	install -m 755 boxstep $(DESTDIR)$(BINDIR)/boxstep
	cp -a $(ROOTFS) $(DESTDIR)$(DATADIR)/rootfs-new
	rm -rf $(DESTDIR)$(DATADIR)/rootfs
	mkdir -p $(DESTDIR)$(DATADIR)/rootfs
	mv $(DESTDIR)$(DATADIR)/rootfs-new $(DESTDIR)$(DATADIR)/rootfs/busybox
	rm -rf $(DESTDIR)$(DATADIR)/lessons
	cp -a lessons $(DESTDIR)$(DATADIR)/lessons
	install -d $(DESTDIR)$(MANDIR)
	install -m 644 docs/boxstep.1 $(DESTDIR)$(MANDIR)/boxstep.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/boxstep $(DESTDIR)$(MANDIR)/boxstep.1
	rm -rf $(DESTDIR)$(DATADIR)

# A Debian package of the built tree (packaging/deb.sh): the binary, the
# rootfs, the lessons, the class file, the room.  apt install ./build/*.deb
DEB = build/boxstep_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
deb: all rootfs
	$(Q)sh packaging/deb.sh $(VERSION) $(DEB)

clean:
	rm -rf $(B) build boxstep $(ROOTFS)
