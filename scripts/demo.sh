#!/usr/bin/env bash
# `make demo`: runs carers-newsletter on its embedded defaults (config/demo.yaml, a
# database under demo/) and says what it did. Safe to run again: it starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${BIN_DIR:-$(swift build --show-bin-path)}
CTL="$BIN_DIR/newsletterctl"
CONFIG=config/demo.yaml
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ctl() { echo "\$ newsletterctl $*"; "$CTL" "$@" --config "$CONFIG"; }

rm -rf demo
mkdir -p demo

say "Importing the demo subscribers from config/demo/subscribers.csv"
ctl subscribers import config/demo/subscribers.csv

say "Adding one more by hand, with their consent wording"
ctl subscribers add rhys.evans@example.org --name "Rhys Evans" --digest weekly --topic advocacy \
  --consent "Ticked 'Send me the carers newsletter' on the paper form, 21 November"

say "Who is on the list"
ctl subscribers list

say "One carer leaves; their address goes on the suppression list"
ctl subscribers remove tom.b@example.org
echo "\$ newsletterctl subscribers add tom.b@example.org   # refused: they opted out"
"$CTL" subscribers add tom.b@example.org --config "$CONFIG" || echo "(exit status $?)"

say "A bad address is refused with a reason"
"$CTL" subscribers add "someone@@example" --config "$CONFIG" || echo "(exit status $?)"

say "What the list looks like now"
ctl subscribers stats

say "The site's content: a copy of config/demo/site in demo/site"
cp -R config/demo/site demo/site
echo "\$ cp -R config/demo/site demo/site"

say "First scan: records a baseline, announces nothing"
ctl content scan

say "Every tracked page and post, with its last-updated date"
ctl content list

say "Staff bump the advocacy page's date, publish a post, and delete a page"
sed -i 's#last updated on 05/05/2022#last updated on 21/11/2024#' demo/site/support/advocacy-services.txt
echo "  support/advocacy-services.txt: 'This information was last updated on 05/05/2022' -> 21/11/2024"
cat > demo/site/blog/respite-grants-open.md <<'POST'
---
title: Respite grants are open again
date: 2024-11-20
---
Apply for a small grant towards a break before the end of January.
POST
echo "  blog/respite-grants-open.md: a new post"
rm demo/site/guides/working-and-caring.md
echo "  guides/working-and-caring.md: deleted"

say "Second scan: one page update, one new post, one page removed"
ctl content scan

say "The change events digests will be built from"
ctl content events

say "Done"
echo "Database: demo/newsletter.db  (config: $CONFIG)"
echo "Try: $CTL subscribers show david.okafor@example.org --config $CONFIG"
echo "     $CTL content list --format json --config $CONFIG"
