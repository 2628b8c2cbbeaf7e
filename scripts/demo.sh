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

say "Sending a test message through the demo's transport: a Maildir a mail client can open"
ctl send-test rhys.evans@example.org
echo "\$ ls demo/Maildir/new"
ls demo/Maildir/new

say "newsletterd --once sends whatever is queued (nothing yet: composing digests comes next)"
"$BIN_DIR/newsletterd" --once --config "$CONFIG" --log-level warning && echo "(exit status 0)"

say "Done"
echo "Database: demo/newsletter.db  (config: $CONFIG)"
echo "Try: $CTL subscribers show david.okafor@example.org --config $CONFIG"
