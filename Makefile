# mcpwatch — build, run, test. See README.md.
#
#   make deps     install build and test dependencies (Debian/Ubuntu, needs root)
#   make          build build/mcpwatch (BPF skeleton and default rules embedded)
#   make run      build and run the monitor with its embedded default rules
#   make test     unit tests (ASan+UBSan), sensor tests, fuzz smoke, end-to-end
#   make bench    benchmarks
#   make fuzz     run every libFuzzer target for FUZZ_SECONDS each
#   make install  PREFIX=/usr/local DESTDIR=
#   make deb      build/mcpwatch_<version>_<arch>.deb (dpkg-deb; see scripts/build-deb.sh)
#   make vmlinux  regenerate bpf/arch/<this arch>/vmlinux.h from this kernel's BTF
#   make bpf      build the linked BPF object and skeleton only
#   make kernels  run the BPF sensor tests on Debian 6.1 and 6.12 kernels under qemu
#   make image    build the container image (podman, or docker) from deploy/Dockerfile
#   make test-image  run that image as the DaemonSet would and check it alerts
#
# ARCH (x86, arm64; default this machine's) selects the BPF target and its
# committed bpf/arch/$(ARCH)/vmlinux.h; another ARCH than this machine's builds
# into build/$(ARCH)/. `make ARCH=arm64 bpf` needs only clang and bpftool.
# `make ARCH=arm64 cross` also builds build/arm64/mcpwatch, which needs the
# arm64 libraries (`make ARCH=arm64 cross-deps` installs them; `make deps` does not).
# bpf/arch/arm64/vmlinux.h comes from Debian's arm64 kernel package:
# scripts/vmlinux-arm64.sh regenerates it on any machine.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH := $(HOST_ARCH)
ifeq ($(ARCH),$(HOST_ARCH))
BUILD ?= build
else
BUILD ?= build/$(ARCH)
endif
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 30

BPF_CC := clang
CC := clang
# `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif
BPFTOOL ?= bpftool
VMLINUX_H := bpf/arch/$(ARCH)/vmlinux.h

PKGS := libbpf libcjson libcurl zlib openssl
# Cross builds take the target's libraries from Debian's multiarch paths.
CROSS_TRIPLE_arm64 := aarch64-linux-gnu
CROSS_TRIPLE_x86 := x86_64-linux-gnu
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_TRIPLE := $(CROSS_TRIPLE_$(ARCH))
CC := clang --target=$(CROSS_TRIPLE)
export PKG_CONFIG_LIBDIR := /usr/lib/$(CROSS_TRIPLE)/pkgconfig:/usr/share/pkgconfig
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lpthread

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wformat=2 -Wvla
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -DMW_VERSION='"$(VERSION)"' \
	-Iinclude -Iuser -I$(BUILD) $(PKG_CFLAGS)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-DMW_FUZZING

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL := $(BUILD)/mcpwatch.skel.h

# user/ is layered (docs/architecture.md): every folder's sources, main.c apart.
USER_SRCS := $(shell find user -name '*.c' | sort)
USER_HDRS := $(shell find user -name '*.h' | sort)
LIB_SRCS := $(filter-out user/main.c,$(USER_SRCS))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(BUILD)/obj/embedded.o
SAN_OBJS := $(patsubst user/%.c,$(BUILD)/san/%.o,$(LIB_SRCS)) $(BUILD)/obj/embedded.o
FUZZ_OBJS := $(patsubst user/%.c,$(BUILD)/fuzzobj/%.o,$(LIB_SRCS)) $(BUILD)/obj/embedded.o

# Unit tests mirror user/ (tests/unit/<folder>/test_<module>.c); binaries are flat.
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BINS := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRCS))))
vpath test_%.c $(sort $(dir $(UNIT_SRCS)))
SENSOR_SRCS := $(wildcard tests/sensor/test_*.c)
SENSOR_BINS := $(patsubst tests/sensor/%.c,$(BUILD)/tests/%,$(SENSOR_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

.PHONY: all deps run test unit sensor-test fuzz-smoke fuzz e2e bench install vmlinux clean kernels \
	format check-deps bpf cross cross-deps image test-image

all: $(BUILD)/mcpwatch

# Keep sanitised and fuzzing objects between runs (they are only pattern-rule inputs).
.SECONDARY:

# ---------------------------------------------------------------- deps
check-deps:
	@scripts/deps.sh --check >/dev/null 2>&1 || scripts/deps.sh

deps:
	scripts/deps.sh

# ---------------------------------------------------------------- BPF
bpf: $(SKEL)

$(VMLINUX_H):
	@echo "no $@: ARCH=$(ARCH) is not supported (bpf/arch/ has $(notdir $(wildcard bpf/arch/*)))" >&2
	@false

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h $(VMLINUX_H) include/mcpwatch_abi.h | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(BPF_CC) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -Ibpf \
		-Ibpf/arch/$(ARCH) -c $< -o $@

$(BUILD)/mcpwatch.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(BUILD)/mcpwatch.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mcpwatch_bpf > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- user space
$(BUILD)/obj/embedded.o: user/embedded.S deploy/rules/default.json | $(BUILD)/obj
	$(call msg,AS,$@)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/obj/%.o: user/%.c $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -MMD -c $< -o $@

$(BUILD)/san/%.o: user/%.c $(SKEL)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -c $< -o $@

$(BUILD)/fuzzobj/%.o: user/%.c $(SKEL)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(FUZZ_FLAGS) -MMD -c $< -o $@

# VERSION is compiled into the objects that name it: rebuild them when it
# changes (a new commit), so that a binary never reports an older version.
VERSION_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(shell grep -rl MW_VERSION user --include='*.c'))
$(VERSION_OBJS): $(BUILD)/version
$(BUILD)/version: FORCE | $(BUILD)/obj
	$(Q)echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/mcpwatch: $(BUILD)/obj/main.o $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

# The agent for another ARCH (only arm64 from x86 is set up): clang drives
# the GNU cross binutils and links the target's Debian multiarch libraries.
CROSS_PKGS := libbpf-dev libelf-dev zlib1g-dev libcjson-dev libcurl4-openssl-dev libssl-dev
cross-deps:
	@[ "$(ARCH)" != "$(HOST_ARCH)" ] || { echo "cross-deps: set ARCH to another than $(HOST_ARCH)" >&2; false; }
	dpkg --print-foreign-architectures | grep -qx $(ARCH) || dpkg --add-architecture $(ARCH)
	apt-get update -qq
	apt-get install -y -q --no-install-recommends gcc-$(subst _,-,$(CROSS_TRIPLE)) \
		$(addsuffix :$(ARCH),$(CROSS_PKGS))

cross:
	@[ "$(ARCH)" != "$(HOST_ARCH)" ] || { echo "cross: set ARCH to another than $(HOST_ARCH)" >&2; false; }
	@[ -e /usr/lib/$(CROSS_TRIPLE)/pkgconfig/libbpf.pc ] || \
		{ echo "cross: no $(ARCH) libraries; run make ARCH=$(ARCH) cross-deps" >&2; false; }
	@$(MAKE) --no-print-directory $(BUILD)/mcpwatch

# ---------------------------------------------------------------- tests
$(BUILD)/tests/test_sensor_bpf: tests/sensor/test_sensor_bpf.c $(LIB_OBJS) | $(BUILD)/tests
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) $(PKG_LIBS) -lcmocka -o $@

$(BUILD)/tests/test_%: test_%.c $(SAN_OBJS) | $(BUILD)/tests
	$(call msg,LD-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests/unit $< $(SAN_OBJS) $(PKG_LIBS) -lcmocka -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) | $(BUILD)/fuzz
	$(call msg,LD-FUZZ,$@)
	$(Q)$(CC) $(CFLAGS) $(FUZZ_FLAGS) -Itests/unit -fsanitize=fuzzer $< $(FUZZ_OBJS) $(PKG_LIBS) -o $@

$(BUILD)/bench/bench_%: tests/bench/bench_%.c $(LIB_OBJS) | $(BUILD)/bench
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) $(PKG_LIBS) -o $@

unit: check-deps $(UNIT_BINS)
	@scripts/node-deps.sh
	@tests/run-unit.sh $(UNIT_BINS)

sensor-test: check-deps $(SENSOR_BINS)
	@tests/run-unit.sh $(SENSOR_BINS)

fuzz-smoke: check-deps $(FUZZ_BINS)
	@tests/run-fuzz.sh smoke $(FUZZ_BINS)

fuzz: check-deps $(FUZZ_BINS)
	@tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

e2e: check-deps $(BUILD)/mcpwatch
	@tests/e2e/run.sh

test: check-deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(SENSOR_BINS) $(FUZZ_BINS)
	@UNIT_BINS="$(UNIT_BINS)" FUZZ_BINS="$(FUZZ_BINS)" tests/run-all.sh

bench: check-deps $(BUILD)/mcpwatch $(BENCH_BINS)
	@tests/bench/run.sh

run: check-deps $(BUILD)/mcpwatch
	$(BUILD)/mcpwatch run $(ARGS)

install: $(BUILD)/mcpwatch
	install -D -m 0755 $(BUILD)/mcpwatch $(DESTDIR)$(PREFIX)/bin/mcpwatch
	install -D -m 0644 deploy/rules/default.json $(DESTDIR)$(PREFIX)/share/mcpwatch/rules/default.json
	install -D -m 0644 deploy/config.json $(DESTDIR)$(PREFIX)/share/mcpwatch/config.example.json
	# The unit runs the binary where PREFIX put it; an existing config is never overwritten.
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)/etc/mcpwatch
	sed 's|/usr/local/bin/mcpwatch|$(PREFIX)/bin/mcpwatch|' deploy/systemd/mcpwatch.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/mcpwatch.service
	[ -e $(DESTDIR)/etc/mcpwatch/config.json ] || \
		install -m 0644 deploy/config.json $(DESTDIR)/etc/mcpwatch/config.json

# The Debian package: make install's layout with PREFIX=/usr, staged in
# $(BUILD)/deb/root, then conffiles, maintainer scripts (deploy/debian/) and
# Depends from the linked libraries (dpkg-shlibdeps).
.PHONY: deb
DEB_ARCH_x86 := amd64
DEB_ARCH_arm64 := arm64
deb: $(BUILD)/mcpwatch
	$(Q)rm -rf $(BUILD)/deb $(BUILD)/mcpwatch_*.deb
	$(Q)$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(BUILD)/deb/root) PREFIX=/usr
	$(Q)STRIP=$(if $(CROSS_TRIPLE),$(CROSS_TRIPLE)-strip,strip) \
		scripts/build-deb.sh $(BUILD) $(VERSION) $(DEB_ARCH_$(ARCH))

# Load and test the BPF programs on Debian's 6.1 and 6.12 kernels under qemu (see tests/kernels/).
kernels: check-deps $(BUILD)/mcpwatch $(BUILD)/tests/test_sensor_bpf
	@command -v qemu-system-x86_64 >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-system-x86; }
	tests/kernels/run-qemu.sh

# ---------------------------------------------------------------- container image
# IMAGE:VERSION and IMAGE:latest; the Debian 12 base is made locally when missing
# (scripts/image-base.sh). IMAGE_BINARY=prebuilt copies $(BUILD)/mcpwatch
# instead of compiling in the build stage.
IMAGE ?= localhost/mcpwatch
IMAGE_BINARY ?= compiled
IMAGE_SOURCE ?= https://github.com/mcpwatch/mcpwatch

image: check-deps $(if $(filter prebuilt,$(IMAGE_BINARY)),$(BUILD)/mcpwatch)
	@IMAGE=$(IMAGE) VERSION=$(VERSION) SOURCE=$(IMAGE_SOURCE) BINARY=$(IMAGE_BINARY) \
		REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) scripts/image.sh

test-image: image
	@IMAGE=$(IMAGE):$(VERSION) tests/image/run.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/arch/$(HOST_ARCH)/vmlinux.h

format:
	clang-format -i $(USER_SRCS) $(USER_HDRS) $(wildcard bpf/*.bpf.c bpf/*.h include/*.h) \
		$(shell find tests -name '*.c' -o -name '*.h' | grep -v /node_modules/)

clean:
	rm -rf $(BUILD)

$(BUILD)/bpf $(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/bench:
	$(Q)mkdir -p $@

-include $(shell find $(BUILD)/obj $(BUILD)/san $(BUILD)/fuzzobj -name '*.d' 2>/dev/null)
