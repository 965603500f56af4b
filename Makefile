# Xenhost: the stage graph. Each stage is a script that prints its name, cache hit or
# miss and duration; outputs go to $(BUILD), caches to $(CACHE) (outside the checkout).
#
#   make            build the ISO and the PXE tree (and every stage before them)
#   make deps       install the build dependencies (apt-get; seconds when present)
#   make rpms       packages/*  -> build/repo/ (RPMs + repodata)
#   make rootfs     rootfs/     -> build/rootfs.squashfs, build/rootfs.manifest
#   make iso        iso/        -> build/xenhost-$(VERSION)-x86_64.iso (+ .sha256)
#   make pxe        iso/pxe     -> build/pxe/tftp/, build/pxe/http/
#   make pxe-serve  serve build/pxe/http/ on 127.0.0.1:$(PXE_PORT) (tests, demos)
#   make e2e        every QEMU boot and install scenario (long)
#   make check      the tests CI runs; ends with "N passed, N failed"
#   make fuzz       the installer's fuzz targets, FUZZ_SECONDS (300) each (check runs 60 s)
#   make bench      build, size and QEMU figures -> build/bench/results.{json,txt} (docs/benchmarks.md)
#   make clean      remove build/ (the cache in $(CACHE) stays)

CACHE ?= /var/cache/xenhost
BUILD ?= $(CURDIR)/build
export XH_CACHE := $(CACHE)
export XH_BUILD := $(BUILD)
export XH_TOP   := $(CURDIR)
# PXE tree: where the live environment fetches the image (see docs/pxe.md).
export XH_PXE_SERVER XH_PXE_URL XH_PXE_HOSTS XH_PXE_DEFAULT

# Order is the build order; all are in the repository.
PACKAGES := xenhost-release xenhost-firstboot xenhost-installer xenhost-live xen qemu-xen pvgrub ovmf-xen libvirt kernel

.PHONY: all deps rpms rootfs iso pxe pxe-serve e2e check fuzz bench clean $(PACKAGES:%=rpm-%)

all: iso pxe

deps:
	@ci/deps

rpms: deps
	@for p in $(PACKAGES); do packages/build $$p || exit 1; done
	@packages/repo $(PACKAGES)

$(PACKAGES:%=rpm-%): rpm-%: deps
	@packages/build $*

rootfs: rpms
	@rootfs/build

iso: rootfs
	@iso/build

pxe: rootfs
	@iso/pxe

# A real HTTP server for build/pxe/http/ on loopback: records the requests, keeps POSTed
# install reports in build/pxe-serve/posts/ (docs/pxe.md). Ctrl-C stops it.
PXE_PORT ?= 8080
pxe-serve: pxe
	@mkdir -p $(BUILD)/pxe-serve
	@echo "==> serving $(BUILD)/pxe/http on http://127.0.0.1:$(PXE_PORT)/ (requests and reports in $(BUILD)/pxe-serve/)"
	@python3 -u ci/lib/httpd.py $(BUILD)/pxe/http --port $(PXE_PORT) --record $(BUILD)/pxe-serve/requests.jsonl \
		--posts $(BUILD)/pxe-serve/posts

# make bench: everything below; make bench BENCH=--quick: no one-line-change build (CI's)
BENCH ?=
bench: deps
	@ci/bench/run $(BENCH)

FUZZ_SECONDS ?= 300
fuzz: deps
	@$(MAKE) -s -C installer O=$(BUILD)/installer FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz

e2e: iso pxe
	@ci/check 50-e2e-boot 55-e2e-install 59-e2e-guests 61-e2e-libvirt 56-e2e-interactive 58-e2e-upgrade 57-e2e-pxe-install

# The suites `make check` (and so CI) runs, and the QEMU scenarios among them: a boot of
# the ISO as a CD under SeaBIOS, a PXE boot under OVMF, an unattended install from the
# ISO with the installed host's first and second boot, and an unattended network install
# (PXE under SeaBIOS, answer file by MAC, image over HTTP, report) with the installed
# host's boot; guests on the installed host (59) and the host driven with virsh and
# virt-install over SSH (61). `make e2e` runs every scenario, also the interactive install
# on the serial console and then an interactive upgrade of that host (56: the install part's last run
# installed, booted and logged in; the upgrade part has not run in QEMU yet).
# CI gives a fresh clone 90 minutes for a build from source and the tests: each QEMU
# scenario first checks that it fits in XH_CHECK_BUDGET seconds from make's start, and
# is skipped (a SKIP line naming it) when a cold build left too little time.
# 30-rootfs rebuilds the image in a scratch tree and compares the bytes (a few minutes;
# `make check XH_SKIP_REPRO=1` skips it, with a SKIP line). 40-iso does the same for the ISO.
XH_SKIP_REPRO ?= 0
export XH_SKIP_REPRO
CHECK_SUITES ?= 10-packages 20-installer-unit 21-installer-fuzz 23-installer-bad-input 24-installer-faults 25-installer-integration 26-installer-upgrade 27-installer-ui 30-rootfs \
	40-iso 60-firstboot 50-e2e-boot 55-e2e-install 59-e2e-guests 61-e2e-libvirt 58-e2e-upgrade 57-e2e-pxe-install 70-bench
CHECK_E2E_BOOT ?= cd-bios pxe-uefi
CHECK_E2E_INSTALL ?= install-bios-ext4
CHECK_E2E_PXE ?= pxe-install-bios
XH_CHECK_BUDGET ?= 4500
CHECK_T0 := $(shell date +%s)

check: iso pxe
	@XH_CHECK_T0=$(CHECK_T0) XH_CHECK_BUDGET=$(XH_CHECK_BUDGET) XH_E2E_SCENARIOS="$(CHECK_E2E_BOOT)" \
		XH_E2E_INSTALL="$(CHECK_E2E_INSTALL)" XH_E2E_PXE="$(CHECK_E2E_PXE)" ci/check $(CHECK_SUITES)

clean:
	rm -rf $(BUILD)
