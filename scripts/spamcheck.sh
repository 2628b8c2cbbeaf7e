#!/usr/bin/env bash
# `make spamcheck`: scores the emails carers-newsletter sends with SpamAssassin, local tests
# only (-L: no DNS blocklists, Razor, Pyzor or other network checks; Bayes and auto-learning
# off, with a throw-away home folder, so nothing is learnt or stored). The messages are built
# by the real binaries from a copy of the demo site, delivered to a Maildir: a weekly digest,
# a blog notification, a confirmation and a welcome.
#
# Prints, per message, the score and the rules hit. Exits 1 when a score is over SPAM_MAX
# (default 1.0). IntegrationTests/SpamAssassinTests runs it in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${BIN_DIR:-$(swift build --show-bin-path)}
MAX=${SPAM_MAX:-1.0}
command -v spamassassin >/dev/null || { echo "spamcheck: spamassassin is not installed (make deps installs it)" >&2; exit 69; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R config/demo/site "$work/site"
cat > "$work/newsletter.yaml" <<YAML
database:
  path: data/newsletter.db
site:
  name: Peak District Carers
  base_url: https://carers.example.org
  content_dir: site
  postal_address: Peak District Carers, 1 Market Place, Bakewell DE45 1AA
mail:
  from: "Peak District Carers <news@carers.example.org>"
  transport: maildir
  maildir: Maildir
http:
  public_url: https://carers.example.org/newsletter
templates:
  dir: $PWD/config/templates
blog:
  window: 0s
YAML
ctl() { "$BIN_DIR/newsletterctl" "$@" --config "$work/newsletter.yaml" >/dev/null; }

ctl subscribers import config/demo/subscribers.csv
ctl subscribers add pat.jones@example.org --name "Pat Jones" --pending
ctl subscribers update pat.jones@example.org --active
ctl content scan
today=$(date +%d/%m/%Y)
sed -i "s#last updated on 05/05/2022#last updated on $today#" "$work/site/support/advocacy-services.txt"
sed -i "s#^lastmod: .*#lastmod: $(date +%Y-%m-%d)#" "$work/site/money/carers-allowance.md" "$work/site/health/looking-after-yourself.md"
cat > "$work/site/blog/respite-grants-open.md" <<POST
---
title: Respite grants are open again
date: $(date +%Y-%m-%d)
description: Apply for a small grant towards a break before the end of January.
tags: [money]
---
Our small grants for a short break are open again. Apply before the end of January.
POST
ctl content scan
ctl digest run --cadence weekly
"$BIN_DIR/newsletterd" --once --config "$work/newsletter.yaml" 2>/dev/null

mkdir -p "$work/home"
status=0
declare -A seen=()
for message in "$work"/Maildir/new/*; do
  subject=$(grep -m1 '^Subject:' "$message" | cut -c10-)
  case "$subject" in
    *"confirm"*) kind=confirmation ;;
    "Welcome"*) kind=welcome ;;
    *" blog"*|"New on"*) kind=blog ;;
    *) kind=digest ;;
  esac
  [ -n "${seen[$kind]:-}" ] && continue
  seen[$kind]=1
  report=$(HOME="$work/home" spamassassin -L -t --cf='use_bayes 0' --cf='bayes_auto_learn 0' <"$message" 2>/dev/null)
  score=$(grep -m1 -o 'score=[-0-9.]*' <<<"$report" | cut -d= -f2)
  rules=$(sed -n '/^ pts rule name/,/^$/p' <<<"$report" | grep -E '^ *-?[0-9]' | awk '{printf "%s%s=%s", sep, $2, $1; sep=", "}')
  printf 'spamcheck: %-12s score %5s (at most %s)  rules: %s\n' "$kind" "$score" "$MAX" "${rules:-none}"
  if awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s > m) }'; then status=1; fi
done
[ "${#seen[@]}" -eq 4 ] || { echo "spamcheck: expected a digest, a blog notification, a confirmation and a welcome; found ${!seen[*]}" >&2; status=1; }
exit $status
