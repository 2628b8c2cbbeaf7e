# carers-newsletter: `make demo` runs the main job on the embedded defaults; `make test` runs every test.
# Both start with `make deps`, which installs what a fresh Debian 12 machine lacks.

SWIFT       ?= swift
BUILD_FLAGS ?=
CONFIG      ?= debug
PREFIX      ?= /usr/local
DESTDIR     ?=

# System packages the build, the tests, the demo and the benchmarks need.
APT_PACKAGES := pkg-config libcurl4-openssl-dev zlib1g-dev nginx-light libsqlite3-dev sqlite3 tzdata systemd python3 postfix python3-aiosmtpd openssl \
                spamassassin chromium chromium-driver python3-selenium wrk postgresql

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system

.PHONY: all deps build build-release test test-run test-reliability test-browser test-browser-run fuzz spamcheck demo bench install clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) $(BUILD_FLAGS)

build-release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

# Integration tests run the real binaries: build everything first, then run the tests
# against that build (NEWSLETTER_BIN_DIR tells them where the binaries are), with a private
# PostgreSQL cluster started for the run and stopped after it (scripts/test-postgres.sh).
# Then, where Chromium is installed (make deps installs it), the browser test.
test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	NEWSLETTER_BIN_DIR="$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))" scripts/test-postgres.sh run $(MAKE) --no-print-directory test-run
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory test-browser-run; \
	else echo "make test: Chromium is not installed; skipping the browser test (make deps installs it)"; fi

# Every test on the embedded SQLite, then the suites whose fixtures take a store
# (TestDatabase) again on PostgreSQL. Run inside scripts/test-postgres.sh, which provides
# the cluster.
STORE_SUITES := NewsletterCoreTests|NewsletterComposeTests|NewsletterDeliveryTests|NewsletterContentTests|NewsletterWebTests
test-run:
	$(SWIFT) test --skip-build $(BUILD_FLAGS)
	NEWSLETTER_TEST_STORE=postgresql $(SWIFT) test --skip-build --filter '$(STORE_SUITES)' $(BUILD_FLAGS)

# The real pages in headless Chromium: sign up, confirm, change preferences, unsubscribe.
# Screenshots go to test-artifacts/browser/ (git-ignored).
test-browser: deps
	$(SWIFT) build $(BUILD_FLAGS)
	@$(MAKE) --no-print-directory test-browser-run

test-browser-run:
	BIN_DIR="$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))" /usr/bin/python3 scripts/browser_test.py

# The crash, failing-relay and full-disk suite on its own (make test runs it too). Needs root
# for the small tmpfs it fills.
test-reliability: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	NEWSLETTER_BIN_DIR="$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))" scripts/test-postgres.sh run $(SWIFT) test --skip-build --filter ReliabilityTests $(BUILD_FLAGS)

# Coverage-guided fuzzing (libFuzzer) of the address validator, the CSV importer, the page
# parser, the config loader and the MIME serializer: FUZZ_SECONDS each (default 60).
# `make test` runs the same properties on a fixed seeded budget (Tests/FuzzTests).
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash scripts/fuzz.sh

# SpamAssassin's score (local tests only) for each kind of email, built from the demo site;
# the same check runs in `make test` (IntegrationTests/SpamAssassinTests).
spamcheck: deps
	$(SWIFT) build $(BUILD_FLAGS)
	BIN_DIR="$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))" bash scripts/spamcheck.sh

demo: deps
	$(SWIFT) build $(BUILD_FLAGS)
	BIN_DIR="$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))" bash scripts/demo.sh

bench: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)
	BIN_DIR="$$($(SWIFT) build -c release --show-bin-path $(BUILD_FLAGS))" NEWSLETTER_TEST_POSTGRES_DURABLE=1 \
	  scripts/test-postgres.sh run bash bench/run.sh

# Installs the binaries, the systemd unit, the documentation, and (only where none exist
# yet) the example config and the default templates, so an admin's own are never overwritten.
install: build-release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) $(DESTDIR)$(PREFIX)/share/doc/carers-newsletter \
	  $(DESTDIR)$(PREFIX)/share/carers-newsletter $(DESTDIR)$(SYSCONFDIR)/carers-newsletter
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/newsletterd" "$$($(SWIFT) build -c release --show-bin-path)/newsletterctl" \
	  $(DESTDIR)$(PREFIX)/bin/
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|; s|/etc/carers-newsletter/|$(SYSCONFDIR)/carers-newsletter/|g; s|/usr/local/share/|$(PREFIX)/share/|' \
	  systemd/newsletterd.service > $(DESTDIR)$(UNITDIR)/newsletterd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/newsletterd.service
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/carers-newsletter/
	install -m 0644 config/newsletter.example.yaml $(DESTDIR)$(PREFIX)/share/doc/carers-newsletter/
	rm -rf $(DESTDIR)$(PREFIX)/share/carers-newsletter/templates
	cp -R config/templates $(DESTDIR)$(PREFIX)/share/carers-newsletter/templates
	[ -e $(DESTDIR)$(SYSCONFDIR)/carers-newsletter/newsletter.yaml ] || \
	  install -m 0640 config/newsletter.example.yaml $(DESTDIR)$(SYSCONFDIR)/carers-newsletter/newsletter.yaml
	[ -e $(DESTDIR)$(SYSCONFDIR)/carers-newsletter/templates ] || \
	  cp -R config/templates $(DESTDIR)$(SYSCONFDIR)/carers-newsletter/templates
	@echo "Installed. Next: the README's installation section (user, config, SMTP password, systemctl)."

clean:
	rm -rf .build .build-fuzz demo bench/work bench/results.json test-artifacts
