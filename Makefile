# hooksync: `make run` starts the agent on the demo configuration, `make test` runs every test.
# Both install the Debian packages the build needs first, when they are missing.

SWIFT ?= swift
CONFIG ?= hooksync.example.toml
APT_PACKAGES := libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build release providers vectors format lint clean

run: release
	.build/release/hooksync run --config $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
