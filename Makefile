# mashang (码上办) — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
NODE_STAMP := infra/node_modules/.installed
DEBIAN_PACKAGES := chromium fonts-noto-cjk zbar-tools poppler-utils librsvg2-bin
STAGE ?= prod
STACK ?= mashang-$(STAGE)
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: run reset redrive import rebuild open311-key demo posters test package validate deploy bench lint system-packages clean help

help:
	@echo "make run      start the whole system locally (moto, API, pollers, site, console)"
	@echo "make reset    forget the local data that make run keeps between runs (MASHANG_STATE_DIR, default build/state)"
	@echo "make redrive  ask the running system to run again the tasks and stream records that kept failing"
	@echo "make import FILE=…  import a mayor's mailbox or media export (CSV or JSON) into the running system, once per source case"
	@echo "make open311-key NAME=…  issue an Open311 key for a client application on the running system (printed once)"
	@echo "make rebuild  regenerate the running system's whole public site from its table (progress on stderr)"
	@echo "make demo     the same with a fast clock (one working day = WORKDAY_SECONDS, default 20)"
	@echo "make posters print-ready QR posters (SITE_URL=https://… the address the codes open)"
	@echo "make test     run the whole test suite (unit, integration, workflow, e2e, infra checks)"
	@echo "make package  build the CloudFormation template and the code package (≤ 15 MB, checked) and validate them"
	@echo "make deploy   deploy to AWS with the AWS CLI (needs credentials and DEPLOY_BUCKET)"
	@echo "make bench    intake latency, publishing throughput, the site's cost of one change at 1,000 and 20,000 cases, the cost of a case, the twin under 50 submits/s, latency to the public page, cold start (build/bench.json, bench/results.json)"

# Any python3 from 3.11 to 3.13; Debian's own python needs its venv package, installed when missing.
$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; assert (3, 11) <= v <= (3, 13), \
	  f"Python 3.11 to 3.13 is required; {sys.executable} is {v[0]}.{v[1]} (set PYTHON=...)"'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || infra/debian-packages.sh python3-venv \
	  python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

$(NODE_STAMP): infra/package.json infra/package-lock.json
	@command -v npm >/dev/null || infra/debian-packages.sh nodejs npm
	cd infra && npm ci --silent --no-fund --no-audit
	@touch $@

# Debian packages the browser and poster tests need; installed only when missing.
system-packages:
	@infra/debian-packages.sh $(DEBIAN_PACKAGES)

run: $(STAMP)
	$(BIN)/python -m infra.local.run

reset:
	rm -rf "$${MASHANG_STATE_DIR:-build/state}"

posters: $(STAMP)
	$(BIN)/python -m infra.local.posters $(if $(SITE_URL),--site-url $(SITE_URL)) $(if $(CITY),--city $(CITY)) $(if $(OUT),--out $(OUT))

redrive: $(STAMP)
	$(BIN)/python -m infra.local.redrive

import: $(STAMP)
	@test -n "$(FILE)" || { echo "name the export: make import FILE=infra/seed/imports-sample.csv"; exit 2; }
	$(BIN)/python -m infra.local.imports $(FILE)

rebuild: $(STAMP)
	$(BIN)/python -m infra.local.rebuild

open311-key: $(STAMP)
	@test -n "$(NAME)" || { echo 'name the client application: make open311-key NAME="…"'; exit 2; }
	$(BIN)/python -m infra.local.open311_keys issue "$(NAME)"

# The same system with compressed time: one working day lasts $(WORKDAY_SECONDS) seconds, so a
# reviewer can watch a case escalate, get surveyed and fall back to the default verdict.
WORKDAY_SECONDS ?= 20
demo: $(STAMP)
	MASHANG_WORKDAY_SECONDS=$(WORKDAY_SECONDS) $(BIN)/python -m infra.local.run

build/merge-template.json: infra/template.json infra/statemachines/*.asl.json infra/definitions.py $(STAMP)
	$(BIN)/python -m infra.definitions $@

# The zip Chalice makes, less the SDK the Lambda runtime ships and what is never loaded (infra/package.py
# says what and why); it fails over 15 MB, with a copy of the SDK, or when the package cannot run on its own.
package: build/merge-template.json $(NODE_STAMP)
	$(BIN)/chalice package --stage $(STAGE) --pkg-format cloudformation --merge-template build/merge-template.json build/package
	$(BIN)/python -m infra.package build/package/deployment.zip
	$(MAKE) --no-print-directory validate

validate: $(NODE_STAMP)
	$(BIN)/cfn-lint build/package/sam.json
	infra/node_modules/.bin/asl-validator $(foreach f,$(wildcard infra/statemachines/*.asl.json),--json-path $(f))

lint: $(STAMP)
	$(BIN)/ruff check chalicelib infra tests bench app.py
	$(BIN)/mypy

test: $(STAMP) $(NODE_STAMP) system-packages package lint
	$(BIN)/python -m pytest

deploy: package
	@command -v aws >/dev/null || { echo "the AWS CLI is required for deploy"; exit 1; }
	@test -n "$(DEPLOY_BUCKET)" || { echo "set DEPLOY_BUCKET to an S3 bucket for the code package"; exit 1; }
	aws cloudformation package --template-file build/package/sam.json --s3-bucket $(DEPLOY_BUCKET) --output-template-file build/package/packaged.json
	aws cloudformation deploy --template-file build/package/packaged.json --stack-name $(STACK) \
	  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides SiteUrl=$(SITE_URL) ApiUrl=$(API_URL)

# Bounded benchmark on the local twin (loopback only; fixed count, stops by itself).
bench: $(STAMP) package
	rm -f build/bench.json  # each part records afresh: bench.results refuses a part that did not
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.site
	$(BIN)/python -m bench.cost
	$(BIN)/python -m bench.city --what-if
	-$(BIN)/python -m bench.throughput  # exits 1 when a target is missed; the rest still runs
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.coldstart
	$(BIN)/python -m bench.results

clean:
	rm -rf build .pytest_cache
