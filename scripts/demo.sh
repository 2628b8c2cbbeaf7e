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

# The same job for a site that runs on a CMS: no folder of files on this machine, only the
# published website. The demo site is rendered as a CMS would publish it (navigation, cookie
# banner, sitemap index, RSS feed) and served by nginx on loopback; newsletterd watches it
# through its sitemap and feed.
say "5. The same site as a live website (a CMS's pages, sitemap and feed, served by nginx)"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx is not installed ('make deps' installs nginx-light); skipping the website demo"
  exit 0
fi
WEB=demo/website
mkdir -p "$WEB/www" "$WEB/nginx/tmp"
cp -R config/demo/site "$WEB/src"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
NGINX_PREFIX="$(pwd)/$WEB/nginx"
cat > "$NGINX_PREFIX/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/error.log warn;
events { worker_connections 256; }
http {
    access_log $NGINX_PREFIX/access.log;
    client_body_temp_path $NGINX_PREFIX/tmp/body;
    proxy_temp_path $NGINX_PREFIX/tmp/proxy;
    fastcgi_temp_path $NGINX_PREFIX/tmp/fastcgi;
    uwsgi_temp_path $NGINX_PREFIX/tmp/uwsgi;
    scgi_temp_path $NGINX_PREFIX/tmp/scgi;
    types { text/html html; application/xml xml; text/plain txt; text/css css; image/svg+xml svg; }
    default_type application/octet-stream;
    charset utf-8;
    gzip on;
    gzip_types application/xml text/plain;
    server {
        listen 127.0.0.1:$PORT;
        root $(pwd)/$WEB/www;
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }
}
CONF
/usr/sbin/nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log" &
NGINX_PID=$!
trap 'kill $NGINX_PID 2>/dev/null || true' EXIT
python3 scripts/render_demo_site.py "$WEB/src" "$WEB/www" --base-url "$BASE"
for _ in $(seq 50); do curl -fsS -o /dev/null "$BASE/robots.txt" 2>/dev/null && break; sleep 0.2; done
WCONFIG="$WEB/newsletter.yaml"
sed -e "s#path: ../demo/newsletter.db#path: newsletter.db#" \
    -e "s#maildir: ../demo/Maildir#maildir: Maildir#" \
    -e "s#templates/#../../config/templates/#; s#dir: templates#dir: ../../config/templates#" \
    -e "s#base_url: https://carers.example.org#base_url: $BASE\n  sitemap: $BASE/sitemap_index.xml\n  feeds: [$BASE/blog/feed.xml]#" \
    -e "/content_dir:/d; /make demo copies/d; /blog_dir:/d" config/demo.yaml > "$WCONFIG"
printf 'website:\n  delay: 0s\n' >> "$WCONFIG"
wctl() { echo "\$ newsletterctl $*"; "$CTL" "$@" --config "$WCONFIG"; }
"$CTL" subscribers import config/demo/subscribers.csv --config "$WCONFIG" >/dev/null
wctl config check | grep -i "content" || true
wctl content scan
sed -i "s#last updated on 05/05/2022#last updated on $TODAY#" "$WEB/src/support/advocacy-services.txt"
cp demo/site/blog/respite-grants-open.md "$WEB/src/blog/"
python3 scripts/render_demo_site.py "$WEB/src" "$WEB/www" --base-url "$BASE"
echo "  The same staff edit and the same new post, published to the website"
wctl content scan --explain "$BASE/support/advocacy-services"
echo "\$ newsletterd --once"
"$DAEMON" --once --config "$WCONFIG"
wevents=$("$CTL" content events --format json --config "$WCONFIG" | grep -c '"kind"')
wdelivered=$(ls "$WEB/Maildir/new" | wc -l)
echo "Change events (website):         $wevents"
echo "Messages in its Maildir:         $wdelivered   ($WEB/Maildir/new)"
