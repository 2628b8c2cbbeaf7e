#!/usr/bin/env bash
# `make demo`: runs carers-newsletter on its embedded defaults and says what it did.
# Everything happens under demo/ (git-ignored): config/demo.yaml, a copy of the demo site
# from config/demo/site, the demo subscribers from config/demo/subscribers.csv, and a
# Maildir a mail client can open. Safe to run again: it starts afresh each time.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${BIN_DIR:-$(swift build --show-bin-path)}
CTL="$BIN_DIR/newsletterctl"
DAEMON="$BIN_DIR/newsletterd"
CONFIG=config/demo.yaml
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ctl() { echo "\$ newsletterctl $*"; "$CTL" "$@" --config "$CONFIG"; }

rm -rf demo
mkdir -p demo
cp -R config/demo/site demo/site

say "1. Subscribers: import the demo list, add one by hand, one leaves"
ctl subscribers import config/demo/subscribers.csv
ctl subscribers add rhys.evans@example.org --name "Rhys Evans" --topic support \
  --consent "Ticked 'Send me the carers newsletter' on the paper form"
ctl subscribers remove tom.b@example.org
echo "\$ newsletterctl subscribers add tom.b@example.org    # refused: they opted out"
"$CTL" subscribers add tom.b@example.org --config "$CONFIG" || echo "(exit status $?)"

say "2. The site: the first scan records a baseline and announces nothing"
ctl content scan
ctl content list

TODAY=$(date +%d/%m/%Y)
say "3. Staff edit the site: a page's date moves forward, a blog post is added"
sed -i "s#last updated on 05/05/2022#last updated on $TODAY#" demo/site/support/advocacy-services.txt
echo "  support/advocacy-services.txt: 'This information was last updated on 05/05/2022' -> $TODAY"
cat > demo/site/blog/respite-grants-open.md <<POST
---
title: Respite grants are open again
date: $(date +%Y-%m-%d)
description: Apply for a small grant towards a break before the end of January.
tags: [money]
---
Our small grants for a short break are open again. Apply before the end of January.
POST
echo "  blog/respite-grants-open.md: a new post"

say "4. newsletterd --once: scan, compose the digests and blog notifications due, deliver"
echo "\$ newsletterd --once"
"$DAEMON" --once --config "$CONFIG"

say "Report"
pages=$("$CTL" content list --format json --config "$CONFIG" | grep -c '"path"')
events=$("$CTL" content events --format json --config "$CONFIG" | grep -c '"kind"')
queue=$("$CTL" queue list --format json --config "$CONFIG")
digests=$(grep -c '"kind" *: *"digest"' <<<"$queue" || true)
blogs=$(grep -c '"kind" *: *"blog"' <<<"$queue" || true)
delivered=$(ls demo/Maildir/new | wc -l)
digest=$(grep -l '^List-Id:' demo/Maildir/new/* | xargs grep -l 'weekly\|What is new' | head -1)
echo "Pages and posts found:           $pages"
echo "Change events:                   $events"
echo "Digests composed:                $digests"
echo "Blog notifications composed:     $blogs"
echo "Messages in the demo Maildir:    $delivered   (demo/Maildir/new)"
echo "Open one digest in a mail client: $digest"
echo
echo "More: $CTL digest preview --to margaret.hughes@example.org --config $CONFIG"
echo "      $CTL status --config $CONFIG"
