# hooksync: `make run` starts the agent on the demo configuration, `make test` runs every test.
# Both install the Debian packages the build needs first, when they are missing.

SWIFT ?= swift
CONFIG ?= hooksync.example.toml
APT_PACKAGES := libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] || echo unshare --user --map-root-user --mount)

PREFIX ?= /usr/local
DESTDIR ?=
BINARY ?= .build/release/hooksync
UNITDIR ?= /etc/systemd/system

.PHONY: run test bench reliability deps build release providers vectors format lint clean install uninstall

run: release
	.build/release/hooksync run --config $(CONFIG)

# The tests check the unit files with systemd-analyze, start a throwaway PostgreSQL server of
# their own (Debian's postgresql package) for the shared-inbox backend, and run the bench's peer
# (Debian's webhook) and wrk in its smoke tests.
test: APT_PACKAGES += systemd postgresql webhook wrk
# The reliability suite saturates both cores on purpose (kill -9 under load, a fuzzer), the
# multi-agent suite runs several agents and PostgreSQL servers under load, and the shared-inbox
# bench smoke test loads agents and a server at full speed, as does the one driving wrk, and the
# load generator's tests time a server in the test process, so each runs on its own after the
# other tests, not beside their timing-bound waits.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip ReliabilitySmokeTests --skip MultiAgentTests --skip PostgresBenchSmokeTests --skip LoadGeneratorTests --skip WrkBenchSmokeTests
	$(SWIFT) test --skip-build --filter "LoadGeneratorTests|WrkBenchSmokeTests"
	$(SWIFT) test --skip-build --filter MultiAgentTests
	$(SWIFT) test --skip-build --filter PostgresBenchSmokeTests
	$(SWIFT) test --skip-build --filter ReliabilitySmokeTests

# Measures the release build against a bare Hummingbird route, local mocks, Debian's `webhook`
# and a throwaway PostgreSQL in one run, prints the table and rewrites docs/benchmarks.md (about 10 minutes).
bench: APT_PACKAGES += webhook postgresql wrk
bench: deps
	$(SWIFT) build -c release
	.build/release/hooksync-bench run --binary .build/release/hooksync --out docs/benchmarks.md

# Kill -9 under load, power cuts under load (unsynced writes lost), unreliable push, outage,
# provider API and downstream faults, a full disk, a locked database, a fuzzer, and two agents on
# one throwaway PostgreSQL (an agent killed, the poll leader killed, the database restarted,
# per-key order), against the release build (about 9 minutes); rewrites docs/reliability.md. The full-disk scenario mounts a small tmpfs: as root,
# or else inside a user namespace, where PostgreSQL cannot run (it refuses root, and there is no
# postgres user to become): a full run needs root.
reliability: APT_PACKAGES += postgresql
reliability: deps
	$(SWIFT) build -c release
	$(AS_ROOT) .build/release/hooksync-bench reliability --binary .build/release/hooksync --out docs/reliability.md

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product hooksync

# Installs the binary, provider files, example configuration, docs and the systemd unit.
# `make install DESTDIR=/tmp/stage PREFIX=/usr` stages a package; BINARY may name a built binary.
install:
	@[ -x "$(BINARY)" ] || $(MAKE) release
	install -D -m 0755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/hooksync
	install -d $(DESTDIR)$(PREFIX)/share/hooksync/providers $(DESTDIR)$(PREFIX)/share/doc/hooksync
	install -m 0644 providers/*.toml providers/README.md $(DESTDIR)$(PREFIX)/share/hooksync/providers/
	install -m 0644 hooksync.example.toml $(DESTDIR)$(PREFIX)/share/hooksync/
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/hooksync/
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/hooksync|$(PREFIX)/bin/hooksync|' -e 's|/usr/local/share/doc|$(PREFIX)/share/doc|' \
		systemd/hooksync.service > $(DESTDIR)$(UNITDIR)/hooksync.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/hooksync.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hooksync $(DESTDIR)$(UNITDIR)/hooksync.service
	rm -rf $(DESTDIR)$(PREFIX)/share/hooksync $(DESTDIR)$(PREFIX)/share/doc/hooksync

# Re-embeds providers/*.toml into the binary after a provider file changes.
providers:
	./scripts/embed-providers

# Regenerates Tests/Vectors/sdk-vectors.json with the providers' official SDKs from PyPI.
# Run by hand when a case is added; the output is committed, so tests need no Python.
vectors:
	@python3 -c "import venv, ensurepip" 2>/dev/null || $(MAKE) deps APT_PACKAGES=python3-venv
	python3 -m venv .build/vectors-venv
	.build/vectors-venv/bin/pip install -q -r Tests/Vectors/requirements.txt
	.build/vectors-venv/bin/python Tests/Vectors/generate-sdk-vectors.py

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

clean:
	rm -rf .build data
