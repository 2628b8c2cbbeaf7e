#!/usr/bin/env python3
"""A web server on loopback that misbehaves on purpose, for the website-watching tests.

Prints "PORT n" on its first line, then serves until killed. Each path is one fault:

  /ok                    a small HTML page
  /status/N              answers HTTP N with an HTML body
  /loop                  redirects to itself
  /redirect/N            N redirects, then /ok
  /to-file               redirects to file:///etc/passwd
  /to-ftp                redirects to ftp://127.0.0.1/x
  /to-gopher             redirects to gopher://127.0.0.1/x
  /big                   50 MB body with a Content-Length
  /big-unsized           50 MB body with no length (ends when the connection closes)
  /bomb                  Content-Encoding: gzip, 200 KB on the wire, 200 MB decoded
  /bad-gzip              Content-Encoding: gzip that is not gzip
  /slow                  waits 120 s before answering (for timeouts)
  /stall                 sends headers and half a body, then waits 120 s
  /login                 a login page with 200
  /not-found-200         a "Page not found" page with 200
  /png                   a PNG image (wrong type for a page or a sitemap)
  /invalid-xml           text/xml that is not well formed
  /sitemap-self.xml      a sitemap index listing itself
  /header-crlf           an ETag holding a raw CR byte

A docs/faults.json file mapping a served path to a fault path ({"/advocacy": "/login"})
makes that path answer with the fault from the next request on.

Anything written under --docs is served as a file at its path (for scripted sites), with
ETag and Last-Modified, and conditional requests answered 304. Every request is logged as a
JSON line to --log: path, method, and the conditional headers received.
"""

import argparse
import hashlib
import http.server
import json
import os
import socketserver
import threading
import time
import zlib
from email.utils import formatdate

BIG = 50 * 1024 * 1024


def bomb():
    """Made on first use: compressing it takes a second or two."""
    global BOMB
    with LOCK:
        if BOMB is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = bytes(1024 * 1024)
            parts = [compressor.compress(chunk) for _ in range(200)]
            parts.append(compressor.flush())
            BOMB = b"".join(parts)
        return BOMB


BOMB = None
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scripted-http"

    def log_message(self, *args):
        pass

    def record(self):
        if not self.server.log_path:
            return
        entry = {
            "path": self.path,
            "method": self.command,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "user_agent": self.headers.get("User-Agent"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
        }
        with LOCK, open(self.server.log_path, "a") as log:
            log.write(json.dumps(entry) + "\n")

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location, status=302):
        self.send(status, b"moved", headers=[("Location", location)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        path = self.path.split("?", 1)[0]
        fault = self.fault_for(path)
        if fault:
            path = fault
        elif self.serve_file(path):
            return
        if path == "/ok":
            self.send(200, b"<!doctype html><title>OK</title><main><h1>OK</h1><p>Fine.</p></main>")
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.send(code, b"<!doctype html><title>Error</title><h1>Something went wrong</h1>")
        elif path == "/loop":
            self.redirect("/loop")
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect("/ok" if left <= 1 else "/redirect/%d" % (left - 1))
        elif path == "/to-file":
            self.redirect("file:///etc/passwd")
        elif path == "/to-ftp":
            self.redirect("ftp://127.0.0.1/x")
        elif path == "/to-gopher":
            self.redirect("gopher://127.0.0.1/x")
        elif path == "/big":
            self.stream(BIG, sized=True)
        elif path == "/big-unsized":
            self.stream(BIG, sized=False)
        elif path == "/bomb":
            self.send(200, bomb(), headers=[("Content-Encoding", "gzip")])
        elif path == "/bad-gzip":
            self.send(200, b"this is not gzip at all, not even close" * 10, headers=[("Content-Encoding", "gzip")])
        elif path == "/slow":
            time.sleep(120)
            self.send(200, b"late")
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"<p>" * 100)
            self.wfile.flush()
            time.sleep(120)
        elif path == "/login":
            self.send(200, LOGIN)
        elif path == "/not-found-200":
            self.send(200, NOT_FOUND)
        elif path == "/png":
            self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
        elif path == "/invalid-xml":
            self.send(200, b"<?xml version='1.0'?><urlset><url><loc>x</url>", content_type="application/xml")
        elif path == "/sitemap-self.xml":
            body = ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                    "<sitemap><loc>http://127.0.0.1:%d/sitemap-self.xml</loc></sitemap></sitemapindex>" % self.server.server_port)
            self.send(200, body.encode(), content_type="application/xml")
        elif path == "/header-crlf":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("ETag", '"abc\rInjected: yes"')
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        else:
            self.send(404, b"<!doctype html><title>Not found</title><h1>Not found</h1>")

    def fault_for(self, path):
        """docs/faults.json maps a served path to one of the fault paths, read afresh for
        every request, so a test can make a page that worked start failing."""
        if not self.server.docs:
            return None
        try:
            with open(os.path.join(self.server.docs, "faults.json")) as handle:
                return json.load(handle).get(path)
        except (OSError, ValueError):
            return None

    def stream(self, size, sized):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if sized:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>padding</p>\n" * 4096
        sent = 0
        try:
            while sent < size:
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def serve_file(self, path):
        docs = self.server.docs
        if not docs:
            return False
        local = os.path.normpath(os.path.join(docs, path.lstrip("/")))
        if not local.startswith(os.path.abspath(docs)):
            return False
        if os.path.isdir(local):
            local = os.path.join(local, "index.html")
        if not os.path.isfile(local):
            return False
        with open(local, "rb") as handle:
            body = handle.read()
        stamp = os.stat(local).st_mtime
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        modified = formatdate(stamp, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send(304, b"", headers=[("ETag", etag)])
            return True
        types = {".xml": "application/xml", ".gz": "application/gzip", ".rss": "application/rss+xml",
                 ".atom": "application/atom+xml", ".txt": "text/plain"}
        content_type = types.get(os.path.splitext(local)[1], "text/html; charset=utf-8")
        self.send(200, body, content_type=content_type, headers=[("ETag", etag), ("Last-Modified", modified)])
        return True


LOGIN = b"""<!doctype html><html lang="en"><head><title>Log in | Carers Hub</title></head>
<body><main><h1>Log in</h1><form method="post" action="/user/login">
<label>Username <input name="name"></label><label>Password <input type="password" name="pass"></label>
<button>Log in</button></form></main></body></html>"""

NOT_FOUND = b"""<!doctype html><html lang="en"><head><title>Page not found | Carers Hub</title></head>
<body><main><h1>Page not found</h1><p>Sorry, we cannot find the page you were looking for.</p></main></body></html>"""


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", default="")
    parser.add_argument("--docs", default="")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.log_path = args.log
    server.docs = os.path.abspath(args.docs) if args.docs else ""
    print("PORT %d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
