#!/usr/bin/env python3
"""Benchmarks for carers-newsletter, run by `make bench` against the release build.

Each section measures the real binaries on this machine and returns rows of
(name, value, unit, goal). Goals are printed beside the figures, never asserted: machines
here are shared and noisy, so a slow run is a figure to explain, not a test failure.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Bench:
    def __init__(self, bin_dir, work):
        self.bin_dir = bin_dir
        self.work = work
        self.rows = []

    def binary(self, name):
        return os.path.join(self.bin_dir, name)

    def config(self, name, body):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(body)
        return path

    def timed(self, args, stdout=subprocess.DEVNULL):
        """Runs a command; returns (wall seconds, CPU seconds, peak RSS in MB)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=stdout, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        # ru_maxrss of children is the largest of any child so far: measure each once.
        return wall, cpu, after.ru_maxrss / 1024.0

    def peak_rss(self, args):
        """Peak RSS (MB) of one command, measured by GNU time when present."""
        if shutil.which("/usr/bin/time") is None:
            return None
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, check=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return int(out.stderr.strip().splitlines()[-1]) / 1024.0

    def add(self, section, name, value, unit, goal=None):
        self.rows.append({"section": section, "name": name, "value": value, "unit": unit, "goal": goal})


def bench_subscribers(b, count=100_000):
    """Import 100,000 generated rows, list them, and time one `subscribers add`."""
    section = "subscribers"
    csv_path = os.path.join(b.work, "people.csv")
    with open(csv_path, "w") as f:
        f.write("email,name,digest,blog,topics\n")
        for i in range(count):
            f.write(f"carer{i}@example{i % 97}.org,Carer Number {i},weekly,digest,{'advocacy;money' if i % 3 == 0 else ''}\n")
    db_dir = os.path.join(b.work, "subscribers-db")
    config = b.config("subscribers.yaml", f"database:\n  path: {db_dir}/newsletter.db\n")
    ctl = b.binary("newsletterctl")

    wall, cpu, _ = b.timed([ctl, "subscribers", "import", csv_path, "--config", config])
    b.add(section, f"import {count:,} rows", wall, "s", "< 3 s")
    b.add(section, f"import {count:,} rows, CPU", cpu, "s")
    rss = b.peak_rss([ctl, "subscribers", "import", csv_path, "--dry-run", "--config", config])
    if rss is not None:
        b.add(section, f"import {count:,} rows (dry run), peak RSS", rss, "MB")

    for fmt in ("csv", "json", "table"):
        wall, _, _ = b.timed([ctl, "subscribers", "list", "--format", fmt, "--config", config])
        b.add(section, f"list {count:,} as {fmt}", wall, "s")

    samples = []
    for i in range(30):
        wall, _, _ = b.timed([ctl, "subscribers", "add", f"extra{i}@example.org", "--config", config])
        samples.append(wall * 1000)
    b.add(section, f"subscribers add (median of {len(samples)}, {count:,} on the list)", statistics.median(samples), "ms", "< 50 ms")
    b.add(section, "subscribers add (slowest)", max(samples), "ms")


def write_people(path, count, topics=True):
    """A subscribers CSV: a third choose two topics, the rest take everything."""
    with open(path, "w") as f:
        f.write("email,name,digest,blog,topics\n")
        for i in range(count):
            chosen = "advocacy;money" if topics and i % 3 == 0 else ""
            f.write(f"carer{i}@example{i % 97}.org,Carer Number {i},weekly,digest,{chosen}\n")


def full_config(b, name, db_dir, extra=""):
    return b.config(name, f"""database:
  path: {db_dir}/newsletter.db
site:
  name: Bench Carers
  base_url: https://carers.example.org
  postal_address: 1 High Street, Matlock DE4 3AG
mail:
  from: "Bench Carers <news@carers.example.org>"
http:
  public_url: https://carers.example.org/newsletter
templates:
  dir: {os.path.join(ROOT, "config", "templates")}
{extra}""")


def record_events(db_path, count):
    """Content events straight into the database, as a scan would record them."""
    import sqlite3
    now = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(time.time() + 1))
    topics = ['["advocacy"]', '["money"]', '["young-carers"]', '[]']
    with sqlite3.connect(db_path) as db:
        for i in range(count):
            db.execute(
                "INSERT INTO content_event (kind, path, title, summary, url, topics, marker, detected_at) VALUES (?,?,?,?,?,?,?,?)",
                ("page_updated", f"pages/page-{i}.md", f"Information page number {i} for carers",
                 "A summary of the page, as its description says: who it is for, what it covers and where to get help.",
                 f"https://carers.example.org/pages/page-{i}", topics[i % 4], "2026-11-20", now))
    time.sleep(1.1)


def bench_compose(b, count=100_000, events=50):
    """Compose the weekly digest for 100,000 subscribers over 50 events."""
    section = "compose"
    db_dir = os.path.join(b.work, "compose-db")
    config = full_config(b, "compose.yaml", db_dir)
    ctl = b.binary("newsletterctl")
    people = os.path.join(b.work, "compose-people.csv")
    write_people(people, count)
    subprocess.run([ctl, "subscribers", "import", people, "--config", config], check=True, stdout=subprocess.DEVNULL)
    record_events(os.path.join(db_dir, "newsletter.db"), events)
    run = [ctl, "digest", "run", "--cadence", "weekly", "--config", config]
    if shutil.which("/usr/bin/time"):
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + run, check=True, capture_output=True, text=True)
        wall, rss = out.stderr.strip().splitlines()[-1].split()
        b.add(section, f"digest run: {count:,} weekly digests over {events} events", float(wall), "s", "< 5 s")
        b.add(section, "digest run, peak RSS", int(rss) / 1024.0, "MB", "< 50 MB")
        print(out.stdout.strip(), file=sys.stderr)
    else:
        wall, _, _ = b.timed(run)
        b.add(section, f"digest run: {count:,} weekly digests over {events} events", wall, "s", "< 5 s")


def write_content_tree(root, count):
    """A site of `count` pages across 100 folders: Markdown with front matter, HTML with a
    meta tag, plain text with the visible phrase; a tenth of them blog posts."""
    body = " ".join(["Carers can ask the council for an assessment of their own needs."] * 20)
    for i in range(count):
        folder = os.path.join(root, "blog" if i % 10 == 0 else f"topic-{i % 99:02d}", f"part-{i % 7}")
        os.makedirs(folder, exist_ok=True)
        day = 1 + i % 28
        kind = i % 3
        if kind == 0:
            path = os.path.join(folder, f"page-{i}.md")
            text = (f"---\ntitle: Page {i}\nlast_updated: 2024-03-{day:02d}\ndate: 2024-02-{day:02d}\n"
                    f"description: About page {i}.\ntags: [Support, Money]\n---\n# Page {i}\n\n{body}\n")
        elif kind == 1:
            path = os.path.join(folder, f"page-{i}.html")
            text = (f"<!DOCTYPE html><html><head><title>Page {i}</title>"
                    f"<meta property=\"article:modified_time\" content=\"2024-03-{day:02d}T09:30:00Z\">"
                    f"<meta name=\"description\" content=\"About page {i}.\"></head>"
                    f"<body><h1>Page {i}</h1><p>{body}</p></body></html>\n")
        else:
            path = os.path.join(folder, f"page-{i}.txt")
            text = f"Page {i}\n\n{body}\n\nThis information was last updated on {day:02d}/03/2024\n"
        with open(path, "w") as f:
            f.write(text)


def bench_content(b, count=10_000):
    """Scan a generated 10,000-page tree cold (the baseline), then again with nothing changed."""
    section = "content"
    root = os.path.join(b.work, "site")
    write_content_tree(root, count)
    db_dir = os.path.join(b.work, "content-db")
    config = b.config("content.yaml", f"database:\n  path: {db_dir}/newsletter.db\n"
                      f"site:\n  base_url: https://carers.example.org\n  content_dir: {root}\n")
    ctl = b.binary("newsletterctl")
    # Read the tree once so the cold scan measures the scanner, not the disk.
    subprocess.run(["cat"] + [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs[:1]],
                   stdout=subprocess.DEVNULL, check=False)

    wall, cpu, _ = b.timed([ctl, "content", "scan", "--config", config])
    b.add(section, f"cold scan of {count:,} pages (baseline)", wall, "s", "< 2 s")
    b.add(section, f"cold scan of {count:,} pages, CPU", cpu, "s")

    samples = []
    for _ in range(7):
        wall, _, _ = b.timed([ctl, "content", "scan", "--config", config])
        samples.append(wall * 1000)
    b.add(section, f"rescan, nothing changed (median of {len(samples)})", statistics.median(samples), "ms", "< 200 ms")
    b.add(section, "rescan, nothing changed (slowest)", max(samples), "ms")

    # Ten pages edited: only they are read.
    for i in range(0, 30, 3):
        folder = os.path.join(root, "blog" if i % 10 == 0 else f"topic-{i % 99:02d}", f"part-{i % 7}")
        path = os.path.join(folder, f"page-{i}.md")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("last_updated: 2024-03", "last_updated: 2024-04"))
    wall, _, _ = b.timed([ctl, "content", "scan", "--config", config])
    b.add(section, "rescan with 10 pages edited", wall * 1000, "ms")

    wall, _, _ = b.timed([ctl, "content", "list", "--format", "json", "--config", config])
    b.add(section, f"list {count:,} pages as json", wall * 1000, "ms")
    rss = b.peak_rss([ctl, "content", "scan", "--dry-run", "--announce-existing", "--config", config])
    if rss is not None:
        b.add(section, f"scan with --announce-existing (dry run), peak RSS", rss, "MB")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """Postfix's smtp-sink on a free loopback port, accepting everything."""

    def __init__(self):
        import socket
        for _ in range(5):
            self.port = free_port()
            user = ["-u", "nobody"] if os.getuid() == 0 else []
            self.process = subprocess.Popen(["/usr/sbin/smtp-sink"] + user + [f"127.0.0.1:{self.port}", "1024"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            self.process.kill()
        raise RuntimeError("smtp-sink did not start")

    def close(self):
        self.process.kill()
        self.process.wait()


def queue_messages(db, count, size=10 * 1024):
    """Queues `count` distinct messages of about `size` bytes, each to its own subscriber,
    straight into the outbox and subscriber tables."""
    import sqlite3
    con = sqlite3.connect(db)
    now = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(time.time() - 1))
    filler = ("Carers' digest text, wrapped like a real message body. " * 20)[:76]
    rows = []

    def flush(rows):
        # Each message goes to a subscriber on the list, as a digest does.
        con.executemany("INSERT INTO subscriber (id, email, email_key, status, digest, blog, topics, created_at, updated_at, "
                        "active_since) VALUES (?, ?, ?, 'active', 'weekly', 'digest', '[]', ?, ?, ?)",
                        [(r[0], r[3], r[3], r[6], r[6], r[6]) for r in rows])
        con.executemany("INSERT INTO outbox (id, kind, envelope_from, envelope_to, message_id, state, next_attempt_at, "
                        "created_at, updated_at, subscriber_id) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                        [r[:5] + r[6:] + (r[0],) for r in rows])
        con.executemany("INSERT INTO outbox_body (outbox_id, body) VALUES (?, ?)", [(r[0], r[5]) for r in rows])

    for i in range(count):
        head = (f"From: Carers <news@example.org>\r\nTo: carer{i}@example.org\r\nSubject: Weekly digest {i}\r\n"
                f"Message-ID: <bench-{i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
        lines = (size - len(head)) // 78
        body = (head + (filler + "\r\n") * lines).encode()
        rows.append((i + 1, "digest", "news@example.org", f"carer{i}@example{i % 97}.org", f"bench-{i}@example.org", body, now, now, now))
        if len(rows) == 5000:
            flush(rows)
            rows = []
    if rows:
        flush(rows)
    con.commit()
    sent = con.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    con.close()
    return sent


def requeue(db):
    """Puts every message back in the queue for another round, and flushes the disk first."""
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("UPDATE outbox SET state = 'queued', attempts = 0, sent_at = NULL, last_code = NULL, last_text = NULL")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.sync()


def bench_delivery(b, count=None, memory_count=None, rounds=3):
    """The outbox to Postfix smtp-sink against smtp-source -d, at 1 and 4 connections."""
    section = "delivery"
    count = count or int(os.environ.get("BENCH_DELIVERY_COUNT", "20000"))
    memory_count = memory_count or int(os.environ.get("BENCH_DELIVERY_MEMORY_COUNT", "100000"))
    ctl, daemon = b.binary("newsletterctl"), b.binary("newsletterd")
    sink = SmtpSink()
    try:
        for connections in (1, 4):
            folder = os.path.join(b.work, f"delivery-{connections}")
            os.makedirs(folder, exist_ok=True)
            config = b.config(f"delivery-{connections}.yaml",
                              f"database:\n  path: {folder}/newsletter.db\nmail:\n  from: news@example.org\n"
                              f"smtp:\n  url: smtp://127.0.0.1:{sink.port}\n  tls: none\n  connections: {connections}\n")
            subprocess.run([ctl, "queue", "list", "--config", config], check=True, stdout=subprocess.DEVNULL)
            db = f"{folder}/newsletter.db"
            queue_messages(db, count)
            # The machine is shared and noisy: three rounds, alternating, and the medians.
            ours_runs, cpu_runs, theirs_runs = [], [], []
            for _ in range(rounds):
                requeue(db)
                wall, cpu, _ = b.timed([daemon, "--once", "--log-level", "warning", "--config", config])
                ours_runs.append(count / wall)
                cpu_runs.append(cpu / count * 1e6)
                start = time.perf_counter()
                subprocess.run(["/usr/sbin/smtp-source", "-d", "-s", str(connections), "-m", str(count), "-l", "10240",
                                "-f", "news@example.org", "-t", "carer@example.org", f"127.0.0.1:{sink.port}"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                theirs_runs.append(count / (time.perf_counter() - start))
            ours, theirs = statistics.median(ours_runs), statistics.median(theirs_runs)
            goal = "≥ 80%" if connections == 1 else "≥ 60%"
            b.add(section, f"{count:,} x 10 KB, {connections} conn: newsletterd --once (median of {rounds})", ours, "msg/s")
            b.add(section, f"{count:,} x 10 KB, {connections} conn: CPU per message", statistics.median(cpu_runs), "µs")
            b.add(section, f"{count:,} x 10 KB, {connections} conn: smtp-source -d (median of {rounds})", theirs, "msg/s")
            b.add(section, f"{connections} conn: ours / smtp-source", ours / theirs * 100, "%", goal)
            b.add(section, f"{connections} conn: each round's ratio",
                  " ".join(f"{o / t * 100:.0f}" for o, t in zip(ours_runs, theirs_runs)), "%")

        folder = os.path.join(b.work, "delivery-memory")
        os.makedirs(folder, exist_ok=True)
        config = b.config("delivery-memory.yaml",
                          f"database:\n  path: {folder}/newsletter.db\nmail:\n  from: news@example.org\n"
                          f"smtp:\n  url: smtp://127.0.0.1:{sink.port}\n  tls: none\n  connections: 4\n")
        subprocess.run([ctl, "queue", "list", "--config", config], check=True, stdout=subprocess.DEVNULL)
        queue_messages(f"{folder}/newsletter.db", memory_count)
        os.sync()
        start = time.perf_counter()
        rss = b.peak_rss([daemon, "--once", "--log-level", "warning", "--config", config])
        wall = time.perf_counter() - start
        b.add(section, f"{memory_count:,} x 10 KB, 4 conn: newsletterd --once", memory_count / wall, "msg/s")
        if rss is not None:
            b.add(section, f"{memory_count:,} x 10 KB, 4 conn: peak RSS", rss, "MB", "< 64 MB")
    finally:
        sink.close()


WRK_SCRIPT = r"""
-- Each thread walks its own share of the one-click URLs, so every request (until they run
-- out) unsubscribes someone new; the body is what Gmail sends.
local paths = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  step = tonumber(args[2])
  next_index = index
  non200 = 0
  wrk.method = "POST"
  wrk.body = "List-Unsubscribe=One-Click"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  local path = paths[((next_index - 1) % #paths) + 1]
  next_index = next_index + step
  return wrk.format(nil, path)
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d non200=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), bad,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def link_token(secret, subscriber_id, purpose):
    """The token LinkTokens makes: base-36 id, '.', the first 16 bytes of an HMAC-SHA256."""
    import base64
    import hashlib
    import hmac
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    n, text = subscriber_id, ""
    while n:
        n, r = divmod(n, 36)
        text = digits[r] + text
    mac = hmac.new(secret, f"carers-newsletter/{purpose}/{subscriber_id}".encode(), hashlib.sha256).digest()[:16]
    return text + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def bench_web(b, count=100_000, seconds=30, connections=16, threads=2):
    """The RFC 8058 one-click unsubscribe endpoint under wrk on loopback: requests/s and p99
    latency, then a check that every answered request was an unsubscribe recorded in the
    database (status, suppression and consent log)."""
    import re
    import socket
    import sqlite3
    section = "web"
    if shutil.which("wrk") is None:
        print("web: wrk is not installed (make deps installs it); skipped", file=sys.stderr)
        return
    db_dir = os.path.join(b.work, "web-db")
    csv_path = os.path.join(b.work, "web-people.csv")
    write_people(csv_path, count, topics=False)
    os.makedirs(os.path.join(b.work, "web-site"), exist_ok=True)
    config = b.config("web.yaml", f"""database:
  path: {db_dir}/newsletter.db
site:
  name: Bench Carers
  base_url: https://carers.example.org
  content_dir: {os.path.join(b.work, "web-site")}
mail:
  from: "Bench Carers <news@carers.example.org>"
  transport: maildir
  maildir: {os.path.join(b.work, "web-maildir")}
http:
  public_url: https://carers.example.org/newsletter
  listen: 127.0.0.1:0
templates:
  dir: {os.path.join(ROOT, "config", "templates")}
""")
    subprocess.run([b.binary("newsletterctl"), "subscribers", "import", csv_path, "--config", config], check=True,
                   stdout=subprocess.DEVNULL)
    db = os.path.join(db_dir, "newsletter.db")
    with sqlite3.connect(db) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM subscriber WHERE status = 'active' ORDER BY id")]

    notify_path = os.path.join(b.work, "web-notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    env.pop("NEWSLETTER_CONFIG", None)
    log = open(os.path.join(b.work, "web-newsletterd.log"), "w")
    daemon = subprocess.Popen([b.binary("newsletterd"), "--config", config], env=env, stdout=log, stderr=log)
    try:
        base = None
        while base is None:
            message = notify.recv(4096).decode()
            if "READY=1" in message:
                base = re.search(r"web (http://127\.0\.0\.1:\d+)", message).group(1)
        secret = open(os.path.join(db_dir, "link-secret"), "rb").read()
        paths_file = os.path.join(b.work, "web-paths.txt")
        with open(paths_file, "w") as f:
            for subscriber_id in ids:
                f.write(f"/unsubscribe/{link_token(secret, subscriber_id, 'unsubscribe')}\n")
        script = os.path.join(b.work, "one-click.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", script,
                              base, "--", paths_file, str(threads)], check=True, capture_output=True, text=True).stdout
        fields = dict(item.split("=") for item in re.search(r"RESULT (.*)", out).group(1).split())
    finally:
        daemon.send_signal(2)
        daemon.wait(timeout=60)
        notify.close()
        log.close()
    requests = int(fields["requests"])
    errors = sum(int(fields[k]) for k in ("non200", "connect", "read", "write", "status", "timeout"))
    with sqlite3.connect(db) as conn:
        unsubscribed = conn.execute("SELECT COUNT(*) FROM subscriber WHERE status = 'unsubscribed'").fetchone()[0]
        logged = conn.execute("SELECT COUNT(DISTINCT subscriber_id) FROM consent_log WHERE action = 'unsubscribed'").fetchone()[0]
        suppressed = conn.execute("SELECT COUNT(*) FROM suppression WHERE reason = 'unsubscribed'").fetchone()[0]
    distinct = min(requests, len(ids))
    # wrk stops counting at the deadline with up to one request per connection in flight,
    # which the server may still have recorded.
    recorded = distinct <= unsubscribed <= min(len(ids), distinct + connections) and logged == unsubscribed == suppressed
    b.add(section, f"one-click unsubscribe, wrk {threads} threads x {connections} connections, {seconds} s",
          requests / float(fields["seconds"]), "req/s")
    b.add(section, "one-click unsubscribe, p50 latency", int(fields["p50_us"]) / 1000.0, "ms")
    b.add(section, "one-click unsubscribe, p99 latency", int(fields["p99_us"]) / 1000.0, "ms")
    b.add(section, "one-click unsubscribe, errors and non-200 answers", errors, "", "0")
    b.add(section, f"unsubscribes recorded ({requests:,} answered, {unsubscribed:,} unsubscribed, logged and suppressed)",
          "yes" if recorded else "NO", "", "yes")


SECTIONS = {
    "subscribers": bench_subscribers, "content": bench_content, "compose": bench_compose, "delivery": bench_delivery,
    "web": bench_web,
}


def print_table(rows):
    print()
    print(f"{'section':<12} {'measure':<58} {'value':>12}  {'goal':<12}")
    print("-" * 98)
    for row in rows:
        value = row["value"]
        text = f"{value:,.3f} {row['unit']}" if isinstance(value, float) else f"{value} {row['unit']}"
        print(f"{row['section']:<12} {row['name']:<58} {text:>12}  {row['goal'] or '':<12}")
    print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="newsletter-bench-", dir=os.path.join(ROOT, "bench"))
    bench = Bench(os.path.abspath(args.bin_dir), work)
    try:
        for name in args.only or list(SECTIONS):
            print(f"running {name} ...", file=sys.stderr, flush=True)
            SECTIONS[name](bench)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print_table(bench.rows)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows": bench.rows,
    }
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"written to bench/results.json", file=sys.stderr)


if __name__ == "__main__":
    main()
