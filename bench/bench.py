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


def full_config(b, name, db_dir, site_extra="", mail_extra="", extra=""):
    """A config with everything composing needs; `site_extra` and `mail_extra` add lines to
    those sections, `extra` whole sections."""
    return b.config(name, f"""database:
  path: {db_dir}/newsletter.db
site:
  name: Bench Carers
  base_url: https://carers.example.org
  postal_address: 1 High Street, Matlock DE4 3AG
{site_extra}mail:
  from: "Bench Carers <news@carers.example.org>"
{mail_extra}http:
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


PATHOLOGICAL_PAGES = [
    # (name, file name, text of about n bytes): the pages of Tests/FuzzTests/PathologicalInputTests.
    ("HTML: tags that never close", "page.html", lambda n: "<a" * (n // 2)),
    ("HTML: declarations that never close", "page.html", lambda n: "<!" * (n // 2)),
    ("HTML: quoted attributes that never close", "page.html", lambda n: '<meta a="' * (n // 9)),
    ("Markdown: brackets that never close", "page.md", lambda n: "[" * n),
    ("Markdown: link targets that never close", "page.md", lambda n: "[a](" * (n // 4)),
    ("Markdown: tags that never close", "page.md", lambda n: "x " + "<a" * (n // 2)),
    ("text: markers without dates", "page.txt", lambda n: "x\n" + "last updated on " * (n // 16)),
]


def bench_pathological(b, size=1_000_000, factor=4):
    """Scan one pathological page at `size` bytes and at `factor` times that: read in one pass,
    the time grows `factor`-fold (the test counts the parser's steps; this is the clock)."""
    section = "pathology"
    ctl = b.binary("newsletterctl")

    def scan(name, file_name, text):
        root = os.path.join(b.work, "pathological", name)
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, file_name), "w") as f:
            f.write(text)
        config = b.config(f"{name}.yaml", f"database:\n  path: {root}-db/newsletter.db\n"
                          f"site:\n  base_url: https://carers.example.org\n  content_dir: {root}\n")
        # The first scan records the page; time the median of three reads of it as new.
        samples = []
        for _ in range(3):
            shutil.rmtree(f"{root}-db", ignore_errors=True)
            wall, _, _ = b.timed([ctl, "content", "scan", "--config", config])
            samples.append(wall)
        return statistics.median(samples)

    empty = scan("empty", "page.txt", "x\n")
    for index, (name, file_name, make) in enumerate(PATHOLOGICAL_PAGES):
        small = max(scan(f"p{index}-small", file_name, make(size)) - empty, 1e-4)
        large = max(scan(f"p{index}-large", file_name, make(factor * size)) - empty, 1e-4)
        b.add(section, f"{name}: {factor * size / 1_000_000:g} MB", large * 1000, "ms")
        b.add(section, f"  time at {factor}x the size / at 1x (start-up taken off)", large / small, "x", f"< {factor * 1.5:g}")


SMTPLIB_LOOP = r"""
import smtplib, sys, time
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = "From: news@example.org\r\nTo: carer@example.org\r\nSubject: Digest\r\n\r\n"
body = (head + ("x" * 76 + "\r\n") * max(1, (size - len(head)) // 78)).encode()
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for i in range(count):
        smtp.sendmail("news@example.org", [f"carer{i}@example.org"], body)
print(time.perf_counter() - start)
"""


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
        # Each message goes to a subscriber on the list, as a digest does. They take no digest
        # themselves, so `newsletterd --once` measures sending alone.
        con.executemany("INSERT INTO subscriber (id, email, email_key, status, digest, blog, topics, created_at, updated_at, "
                        "active_since) VALUES (?, ?, ?, 'active', 'off', 'off', '[]', ?, ?, ?)",
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


def delivery_config(b, name, folder, port, connections):
    """newsletterd sending to smtp-sink; a one-page site, since newsletterd watches one."""
    site = os.path.join(folder, "site")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "index.md"), "w") as f:
        f.write("---\ntitle: Home\nlast_updated: 2024-01-01\n---\nWelcome.\n")
    return full_config(b, f"{name}.yaml", folder, site_extra=f"  content_dir: {site}\n", mail_extra="",
                       extra=f"smtp:\n  url: smtp://127.0.0.1:{port}\n  tls: none\n  connections: {connections}\n")


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
            config = delivery_config(b, f"delivery-{connections}", folder, sink.port, connections)
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
            if connections == 4:
                # How rss2email and Mailman send: Python's smtplib over one reused connection.
                seconds = float(subprocess.run(["/usr/bin/python3", "-c", SMTPLIB_LOOP, str(sink.port), str(count), "10240"],
                                               capture_output=True, text=True, check=True).stdout.strip())
                b.add(section, f"{count:,} x 10 KB: Python smtplib loop, one connection", count / seconds, "msg/s")
                b.add(section, "4 conn: ours / smtplib loop", ours / (count / seconds), "x", "≥ 5x")

        folder = os.path.join(b.work, "delivery-memory")
        os.makedirs(folder, exist_ok=True)
        config = delivery_config(b, "delivery-memory", folder, sink.port, 4)
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




def pg_psql(sql, database="postgres"):
    """Runs `sql` as the superuser on the cluster scripts/test-postgres.sh started."""
    folder, port = os.environ["NEWSLETTER_TEST_POSTGRES_SOCKET"], os.environ["NEWSLETTER_TEST_POSTGRES_PORT"]
    subprocess.run(["psql", "-h", folder, "-p", port, "-U", "postgres", "-d", database, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def pg_section(b, section):
    """A work folder and a new database in the cluster scripts/test-postgres.sh started, for
    `section`: (folder, database, url), or None (and a row saying so) without a cluster."""
    if "NEWSLETTER_TEST_POSTGRES_SOCKET" not in os.environ:
        b.add(section, "no PostgreSQL cluster (run through make bench)", "skipped", "")
        return None
    folder = os.path.join(b.work, section)
    os.makedirs(folder, exist_ok=True)
    database = f"{section}_{os.getpid()}"
    pg_psql(f"CREATE DATABASE {database}")
    url = (f"postgresql://postgres@/{database}?host={os.environ['NEWSLETTER_TEST_POSTGRES_SOCKET']}"
           f"&port={os.environ['NEWSLETTER_TEST_POSTGRES_PORT']}")
    return folder, database, url


def postgres_twin(b, name, lite, folder, url):
    """The SQLite config `lite` with database.url pointing at PostgreSQL instead."""
    with open(lite) as f:
        text = f.read()
    return b.config(f"{name}.yaml", text.replace(f"  path: {folder}/newsletter.db\n", f"  url: {url}\n"))


def bench_postgresql(b, count=None, rounds=3):
    """The same installation on SQLite and on PostgreSQL, side by side: the SQLite database
    is moved with `newsletterctl database copy`, then both send the same outbox to smtp-sink
    and add subscribers. Run by `make bench` inside scripts/test-postgres.sh, with fsync on,
    so that both backends pay for durable commits."""
    setup = pg_section(b, "postgresql")
    if setup is None:
        return
    section, (folder, database, url) = "postgresql", setup
    count = count or int(os.environ.get("BENCH_POSTGRES_COUNT", "100000"))
    ctl, daemon = b.binary("newsletterctl"), b.binary("newsletterd")
    sink = SmtpSink()
    try:
        lite = delivery_config(b, "pg-sqlite", folder, sink.port, 4)
        pg = postgres_twin(b, "pg-postgresql", lite, folder, url)
        subprocess.run([ctl, "queue", "list", "--config", lite], check=True, stdout=subprocess.DEVNULL)
        queue_messages(f"{folder}/newsletter.db", count)
        wall, _, _ = b.timed([ctl, "database", "copy", "--to", url, "--config", lite])
        b.add(section, f"database copy --to postgresql: {count:,} subscribers and messages", wall, "s")

        def requeue_pg():
            pg_psql("UPDATE outbox SET state = 'queued', attempts = 0, sent_at = NULL, last_code = NULL, last_text = NULL; CHECKPOINT",
                    database)

        lite_runs, pg_runs = [], []
        for _ in range(rounds):
            requeue(f"{folder}/newsletter.db")
            wall, _, _ = b.timed([daemon, "--once", "--log-level", "warning", "--config", lite])
            lite_runs.append(count / wall)
            requeue_pg()
            wall, _, _ = b.timed([daemon, "--once", "--log-level", "warning", "--config", pg])
            pg_runs.append(count / wall)
        ours_lite, ours_pg = statistics.median(lite_runs), statistics.median(pg_runs)
        b.add(section, f"{count:,} x 10 KB, 4 conn, SQLite (median of {rounds})", ours_lite, "msg/s")
        b.add(section, f"{count:,} x 10 KB, 4 conn, PostgreSQL (median of {rounds})", ours_pg, "msg/s")
        b.add(section, "sending: PostgreSQL / SQLite", ours_pg / ours_lite * 100, "%", "≥ 70%")
        b.add(section, "sending: each round's ratio", " ".join(f"{p / l * 100:.0f}" for p, l in zip(pg_runs, lite_runs)), "%")

        adds = {"SQLite": [], "PostgreSQL": []}
        for i in range(20):
            for name, config in (("SQLite", lite), ("PostgreSQL", pg)):
                wall, _, _ = b.timed([ctl, "subscribers", "add", f"new{i}-{name.lower()}@example.org", "--config", config])
                adds[name].append(wall * 1000)
        for name, samples in adds.items():
            b.add(section, f"subscribers add, {name} (median of {len(samples)})", statistics.median(samples), "ms", "< 50 ms")
        b.add(section, "subscribers add: PostgreSQL / SQLite",
              statistics.median(adds["PostgreSQL"]) / statistics.median(adds["SQLite"]) * 100, "%")

        # The end-to-end weekly job (scan, compose, send) on each backend.
        weekly = int(os.environ.get("BENCH_POSTGRES_E2E_SUBSCRIBERS", "20000"))
        pg_psql(f"CREATE DATABASE {database}_e2e")
        e2e_url = url.replace(f"/{database}?", f"/{database}_e2e?")
        jobs = {"SQLite": weekly_job(b, "pg-e2e-sqlite", 500, weekly, 20, 4, sink.port),
                "PostgreSQL": weekly_job(b, "pg-e2e-postgresql", 500, weekly, 20, 4, sink.port, database_url=e2e_url)}
        for name, job in jobs.items():
            b.add(section, f"weekly job, {job['sent']:,} digests, {name}: scan, compose, send", job["sent"] / job["wall"], "msg/s")
        b.add(section, "weekly job: PostgreSQL / SQLite",
              jobs["PostgreSQL"]["sent"] / jobs["PostgreSQL"]["wall"] / (jobs["SQLite"]["sent"] / jobs["SQLite"]["wall"]) * 100, "%", "≥ 70%")
    finally:
        sink.close()


class DelayProxy:
    """bench/delay_proxy.py in front of `target_port`: `delay_ms` each way on loopback."""

    def __init__(self, target_port, delay_ms=5):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "bench", "delay_proxy.py"), str(self.port), str(target_port), str(delay_ms)],
            stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            self.process.kill()
            raise RuntimeError("the delaying proxy did not start")

    def close(self):
        self.process.kill()
        self.process.wait()


def bench_scaleout(b, count=None, counts=(1, 2, 4), connections=2, delay_ms=5, rounds=3):
    """Several newsletterd on one PostgreSQL database sharing one outbox, each with
    `connections` connections, to smtp-sink behind a proxy that delays every chunk
    `delay_ms` each way: a relay on another host, where round trips, not CPU, set the rate.
    Beside each, smtp-source with as many connections through the same proxy."""
    setup = pg_section(b, "scaleout")
    if setup is None:
        return
    section, (folder, database, url) = "scaleout", setup
    count = count or int(os.environ.get("BENCH_SCALEOUT_COUNT", "1500"))
    ctl, daemon = b.binary("newsletterctl"), b.binary("newsletterd")
    sink = SmtpSink()
    proxy = DelayProxy(sink.port, delay_ms)
    try:
        lite = delivery_config(b, "scaleout-sqlite", folder, proxy.port, connections)
        pg = postgres_twin(b, "scaleout-postgresql", lite, folder, url)
        subprocess.run([ctl, "queue", "list", "--config", lite], check=True, stdout=subprocess.DEVNULL)
        queue_messages(f"{folder}/newsletter.db", count)
        subprocess.run([ctl, "database", "copy", "--to", url, "--config", lite], check=True, stdout=subprocess.DEVNULL)

        def run_daemons(daemons):
            pg_psql("UPDATE outbox SET state = 'queued', attempts = 0, sent_at = NULL, last_code = NULL, last_text = NULL, "
                    "claim_owner = NULL, claim_expires_at = NULL; CHECKPOINT", database)
            start = time.perf_counter()
            running = [subprocess.Popen(["/usr/bin/time", "-f", "%M", daemon, "--once", "--log-level", "warning", "--config", pg],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(daemons)]
            outputs = [p.communicate()[1] for p in running]
            wall = time.perf_counter() - start
            if any(p.returncode != 0 for p in running):
                raise RuntimeError("newsletterd --once failed: " + " | ".join(outputs))
            return count / wall, max(int(out.strip().splitlines()[-1]) / 1024.0 for out in outputs)

        def run_source(daemons):
            start = time.perf_counter()
            subprocess.run(["/usr/sbin/smtp-source", "-d", "-s", str(daemons * connections), "-m", str(count), "-l", "10240",
                            "-f", "news@example.org", "-t", "carer@example.org", f"127.0.0.1:{proxy.port}"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            return count / (time.perf_counter() - start)

        # The machine is shared and noisy: rounds, each count in turn, and the medians.
        ours, theirs, peaks = {d: [] for d in counts}, {d: [] for d in counts}, {d: 0.0 for d in counts}
        for _ in range(rounds):
            for daemons in counts:
                rate, peak = run_daemons(daemons)
                ours[daemons].append(rate)
                peaks[daemons] = max(peaks[daemons], peak)
                theirs[daemons].append(run_source(daemons))
        rates = {d: statistics.median(ours[d]) for d in counts}
        for daemons in counts:
            label = f"{daemons} daemon{'s' if daemons > 1 else ''} x {connections} conn"
            source = statistics.median(theirs[daemons])
            b.add(section, f"{count:,} x 10 KB, {delay_ms} ms each way, {label} (median of {rounds})", rates[daemons], "msg/s")
            b.add(section, f"{label}: smtp-source -s {daemons * connections} (median of {rounds})", source, "msg/s")
            b.add(section, f"{label}: ours / smtp-source", rates[daemons] / source * 100, "%", "≥ 90%")
            b.add(section, f"{label}: each round's ratio",
                  " ".join(f"{o / t * 100:.0f}" for o, t in zip(ours[daemons], theirs[daemons])), "%")
            b.add(section, f"{label}: peak RSS of the largest daemon", peaks[daemons], "MB", "< 64 MB")
        goals = {2: "≥ 1.8x", 4: "≥ 3.4x"}
        for daemons in counts[1:]:
            b.add(section, f"{daemons} daemons / 1 daemon", rates[daemons] / rates[counts[0]], "x", goals.get(daemons))
    finally:
        proxy.close()
        sink.close()


def edit_pages(root, count):
    """Moves the "last updated" date forward on `count` of the generated pages, as staff would."""
    edited = 0
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if edited == count or "/blog/" in folder + "/":
                continue
            path = os.path.join(folder, name)
            with open(path) as f:
                text = f.read()
            changed = (text.replace("last_updated: 2024-03", "last_updated: 2025-03")
                           .replace("content=\"2024-03", "content=\"2025-03")
                           .replace("/03/2024", "/03/2025"))
            if changed != text:
                with open(path, "w") as f:
                    f.write(changed)
                edited += 1
    return edited


def weekly_job(b, name, pages, subscribers, edits, connections, sink_port, database_url=None):
    """The whole weekly job in its own folders: a site of `pages` pages, `subscribers` weekly
    subscribers imported, a baseline scan, `edits` pages edited, then `newsletterd --once`
    from start to the last digest accepted. On SQLite unless `database_url` is given."""
    root = os.path.join(b.work, f"{name}-site")
    write_content_tree(root, pages)
    db_dir = os.path.join(b.work, f"{name}-db")
    config = full_config(b, f"{name}.yaml", db_dir, site_extra=f"  content_dir: {root}\n",
                         extra=f"smtp:\n  url: smtp://127.0.0.1:{sink_port}\n  tls: none\n  connections: {connections}\n")
    if database_url:
        with open(config) as f:
            text = f.read()
        config = b.config(f"{name}.yaml", text.replace(f"  path: {db_dir}/newsletter.db\n", f"  url: {database_url}\n"))
    ctl, daemon = b.binary("newsletterctl"), b.binary("newsletterd")
    people = os.path.join(b.work, f"{name}-people.csv")
    write_people(people, subscribers, topics=False)
    subprocess.run([ctl, "subscribers", "import", people, "--config", config], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ctl, "content", "scan", "--config", config], check=True, stdout=subprocess.DEVNULL)
    edited = edit_pages(root, edits)
    time.sleep(1.1)  # the edits land after the baseline, as they would in life
    # Record the edits now, so a preview shows the size of the digest about to be sent.
    subprocess.run([ctl, "content", "scan", "--config", config], check=True, stdout=subprocess.DEVNULL)
    preview = subprocess.run([ctl, "digest", "preview", "--to", "carer1@example1.org", "--format", "eml", "--config", config],
                             capture_output=True, check=True)
    os.sync()

    run = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", daemon, "--once", "--log-level", "notice", "--config", config],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"newsletterd --once failed: {run.stderr[-2000:]}")
    wall, user, system, rss = run.stderr.strip().splitlines()[-1].split()
    listed = subprocess.run([ctl, "queue", "list", "--state", "sent", "--format", "json", "--config", config],
                            capture_output=True, text=True, check=True)
    sent = sum(1 for message in json.loads(listed.stdout) if message.get("kind") == "digest")
    return {"sent": sent, "wall": float(wall), "cpu": float(user) + float(system), "rss": int(rss) / 1024.0,
            "size": len(preview.stdout), "edited": edited}


def bench_e2e(b, pages=2_000, subscribers=None, edits=50, connections=4):
    """The whole weekly job: a 2,000-page site, 100,000 weekly subscribers, 50 pages edited,
    `newsletterd --once` from start to the last digest accepted by smtp-sink, against
    smtp-source -d and a Python smtplib loop sending as many messages of the same size."""
    section = "e2e"
    subscribers = subscribers or int(os.environ.get("BENCH_E2E_SUBSCRIBERS", "100000"))
    sink = SmtpSink()
    try:
        job = weekly_job(b, "e2e", pages, subscribers, edits, connections, sink.port)
        sent, size, wall = job["sent"], job["size"], job["wall"]
        start = time.perf_counter()
        subprocess.run(["/usr/sbin/smtp-source", "-d", "-s", str(connections), "-m", str(sent), "-l", str(size),
                        "-f", "news@example.org", "-t", "carer@example.org", f"127.0.0.1:{sink.port}"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        source_rate = sent / (time.perf_counter() - start)
        smtplib_seconds = float(subprocess.run(["/usr/bin/python3", "-c", SMTPLIB_LOOP, str(sink.port), str(sent), str(size)],
                                               capture_output=True, text=True, check=True).stdout.strip())
        smtplib_rate = sent / smtplib_seconds
    finally:
        sink.close()

    ours = sent / wall
    b.add(section, f"{pages:,} pages, {job['edited']} edited, {subscribers:,} weekly subscribers: digests sent", sent, "")
    b.add(section, f"digest size (bytes)", size, "B")
    b.add(section, f"newsletterd --once, {connections} connections: start to last message accepted", wall, "s")
    b.add(section, "newsletterd --once: messages/s (scan, compose and send)", ours, "msg/s")
    b.add(section, "newsletterd --once: CPU per 1,000 messages", job["cpu"] / sent * 1000, "s")
    b.add(section, "newsletterd --once: peak RSS", job["rss"], "MB", "< 64 MB")
    b.add(section, f"smtp-source -d -s {connections}, same count and size", source_rate, "msg/s")
    b.add(section, "Python smtplib loop, one reused connection", smtplib_rate, "msg/s")
    b.add(section, "newsletterd / smtp-source", ours / source_rate * 100, "%", "≥ 60%")
    b.add(section, "newsletterd / smtplib loop", ours / smtplib_rate, "x", "≥ 5x")


def wait_ready(sock, timeout=30):
    """Reads notify datagrams until READY=1; returns the moment it arrived."""
    import socket as socketlib
    sock.settimeout(timeout)
    while True:
        data = sock.recv(4096).decode()
        if "READY=1" in data.split("\n"):
            return time.perf_counter()


def proc_stats(pid):
    """(CPU seconds, RSS MB, peak RSS MB, anonymous RSS MB) of a running process, from /proc.
    Anonymous RSS is the memory the process itself allocated; the rest of RSS is the text of
    the binary and the shared libraries (Swift runtime, Foundation, ICU) it has touched."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = peak = anon = 0.0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024.0
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024.0
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1]) / 1024.0
    return cpu, rss, peak, anon


def bench_daemon(b, count=10_000, idle=60):
    """newsletterd watching a 10,000-page site: start to READY, then idle for a minute."""
    import socket as socketlib
    section = "daemon"
    root = os.path.join(b.work, "daemon-site")
    write_content_tree(root, count)
    db_dir = os.path.join(b.work, "daemon-db")
    config = full_config(b, "daemon.yaml", db_dir, site_extra=f"  content_dir: {root}\n",
                         mail_extra=f"  transport: maildir\n  maildir: {os.path.join(b.work, 'daemon-maildir')}\n")
    ctl = b.binary("newsletterctl")
    subprocess.run([ctl, "content", "scan", "--config", config], check=True, stdout=subprocess.DEVNULL)
    # The schedule is caught up once, so the timed starts below are ordinary restarts.
    subprocess.run([b.binary("newsletterd"), "--once", "--config", config], check=True, stderr=subprocess.DEVNULL)

    ready_times = []
    for round_index in range(3):
        sock_path = os.path.join(b.work, f"notify-{round_index}.sock")
        sock = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_DGRAM)
        sock.bind(sock_path)
        env = dict(os.environ, NOTIFY_SOCKET=sock_path)
        start = time.perf_counter()
        daemon = subprocess.Popen([b.binary("newsletterd"), "--config", config, "--log-level", "warning"], env=env,
                                  stderr=subprocess.DEVNULL)
        ready = wait_ready(sock)
        ready_times.append((ready - start) * 1000)
        if round_index < 2:
            daemon.terminate()
            daemon.wait()
            sock.close()
    b.add(section, f"start to READY, {count:,} pages watched (median of 3)", statistics.median(ready_times), "ms", "< 300 ms")

    time.sleep(2)
    cpu0, _, _, _ = proc_stats(daemon.pid)
    time.sleep(idle)
    cpu1, rss, peak, anon = proc_stats(daemon.pid)
    daemon.terminate()
    daemon.wait()
    sock.close()
    b.add(section, f"idle {idle} s: CPU", (cpu1 - cpu0) / idle * 100, "%", "< 0.1%")
    b.add(section, f"idle {idle} s: RSS", rss, "MB", "< 20 MB")
    b.add(section, f"idle {idle} s: anonymous RSS (the daemon's own memory)", anon, "MB")
    b.add(section, "peak RSS (start included)", peak, "MB")


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


NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    types {{ text/html html; application/xml xml; }}
    default_type application/octet-stream;
    keepalive_requests 1000000;
    gzip on;
    gzip_types application/xml;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri.html $uri/ =404; }}
    }}
}}
"""


def write_website(root, base, count):
    """A CMS-style site of `count` pages, a sitemap with lastmod and one without."""
    os.makedirs(root, exist_ok=True)
    nav = "".join(f'<li><a href="/topic-{t}/">Topic {t}</a></li>' for t in range(30))
    entries, bare = [], []
    for i in range(count):
        folder = os.path.join(root, f"topic-{i % 30}")
        os.makedirs(folder, exist_ok=True)
        day = 1 + i % 28
        write_web_page(os.path.join(folder, f"page-{i}.html"), i, nav, f"{day:02d}/03/2024")
        url = f"{base}/topic-{i % 30}/page-{i}"
        entries.append(f"<url><loc>{url}</loc><lastmod>2024-03-{day:02d}</lastmod></url>")
        bare.append(f"<url><loc>{url}</loc></url>")
    head = '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    with open(os.path.join(root, "sitemap.xml"), "w") as f:
        f.write(head + "\n".join(entries) + "</urlset>")
    with open(os.path.join(root, "sitemap-bare.xml"), "w") as f:
        f.write(head + "\n".join(bare) + "</urlset>")
    return [f"{base}/topic-{i % 30}/page-{i}" for i in range(count)]


def write_web_page(path, i, nav, updated):
    with open(path, "w") as f:
        f.write(f"""<!doctype html><html lang="en-GB"><head><title>Page {i} | Carers Hub</title></head><body>
<div class="cookie-banner"><p>We use cookies.</p></div><header><nav><ul>{nav}</ul></nav></header>
<main><h1>Page {i}</h1><p>Support for carers, part {i}. An advocate can help you have your say.</p>
<p>This information was last updated on {updated}</p></main><footer><p>&copy; 2026 Carers Hub</p></footer></body></html>""")


def bench_website(b, count=10_000, changed=50, parallel=8):
    """Website watching against nginx on loopback, beside a plain `curl --parallel` pass."""
    section = "website"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    root = os.path.join(b.work, "www")
    urls = write_website(root, base, count)
    prefix = os.path.join(b.work, "nginx")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    with open(os.path.join(prefix, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(prefix=prefix, port=port, root=root))
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"), "-e", os.path.join(prefix, "error.log")])
    try:
        deadline = time.time() + 30
        while time.time() < deadline and subprocess.run(["curl", "-fsS", "-o", "/dev/null", base + "/sitemap.xml"]).returncode != 0:
            time.sleep(0.1)
        ctl = b.binary("newsletterctl")

        def config(name, sitemap):
            db = os.path.join(b.work, name)
            os.makedirs(db, exist_ok=True)
            return b.config(name + ".yaml", f"database:\n  path: {db}/newsletter.db\n"
                            f"site:\n  base_url: {base}\n  sitemap: {base}/{sitemap}\n"
                            f"website:\n  delay: 0s\n  per_host: {parallel}\n")

        with_lastmod = config("website-lastmod", "sitemap.xml")
        wall, _, _ = b.timed([ctl, "content", "scan", "--config", with_lastmod])
        b.add(section, f"baseline: sitemap and {count:,} pages fetched, {parallel} at once", wall, "s")
        samples = [b.timed([ctl, "content", "scan", "--config", with_lastmod])[0] for _ in range(5)]
        b.add(section, f"check, nothing changed (sitemap only; median of 5)", statistics.median(samples), "s", "< 1 s")
        rss = b.peak_rss([ctl, "content", "scan", "--config", with_lastmod])
        if rss is not None:
            b.add(section, "check, nothing changed, peak RSS", rss, "MB", "< 64 MB")

        nav = "".join(f'<li><a href="/topic-{t}/">Topic {t}</a></li>' for t in range(30))
        sitemap = os.path.join(root, "sitemap.xml")
        text = open(sitemap).read()
        for i in range(0, count, count // changed):
            write_web_page(os.path.join(root, f"topic-{i % 30}", f"page-{i}.html"), i, nav, "01/04/2024")
            text = text.replace(f"/page-{i}</loc><lastmod>2024-03-{1 + i % 28:02d}</lastmod>", f"/page-{i}</loc><lastmod>2024-04-01</lastmod>")
        with open(sitemap, "w") as f:
            f.write(text)
        start = time.perf_counter()
        out = subprocess.run([ctl, "content", "scan", "--format", "json", "--config", with_lastmod], capture_output=True, text=True, check=True)
        b.add(section, f"check with {changed} pages changed (sitemap and {changed} pages fetched)", time.perf_counter() - start, "s")
        events = out.stdout.count('"page_updated"')
        b.add(section, f"{changed} pages changed: updates announced", events, "", str(changed))

        bare = config("website-bare", "sitemap-bare.xml")
        subprocess.run([ctl, "content", "scan", "--config", bare], check=True, stdout=subprocess.DEVNULL)
        samples = [b.timed([ctl, "content", "scan", "--config", bare])[0] for _ in range(3)]
        b.add(section, f"check without lastmod: {count:,} conditional requests (304), median of 3", statistics.median(samples), "s", "< 10 s")
        rss = b.peak_rss([ctl, "content", "scan", "--config", bare])
        if rss is not None:
            b.add(section, f"check without lastmod, peak RSS", rss, "MB", "< 64 MB")

        curl_config = os.path.join(b.work, "curl.conf")
        with open(curl_config, "w") as f:
            for url in urls:
                f.write(f'url = "{url}"\noutput = "/dev/null"\n')
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(["curl", "-sS", "--parallel", "--parallel-max", str(parallel), "--compressed", "-K", curl_config], check=True)
            samples.append(time.perf_counter() - start)
        b.add(section, f"reference: plain curl --parallel GET of the {count:,} pages, median of 3", statistics.median(samples), "s")
    finally:
        nginx.kill()
        nginx.wait()


SECTIONS = {
    "subscribers": bench_subscribers, "content": bench_content, "compose": bench_compose, "delivery": bench_delivery,
    "daemon": bench_daemon, "e2e": bench_e2e, "web": bench_web, "pathology": bench_pathological,
    "postgresql": bench_postgresql, "scaleout": bench_scaleout, "website": bench_website,
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
