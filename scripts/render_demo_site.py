#!/usr/bin/env python3
"""Publish a content folder (the demo site) as a CMS-style website for newsletterd to watch.

    python3 scripts/render_demo_site.py SRC_DIR OUT_DIR --base-url http://127.0.0.1:PORT [--site-name "Carers Hub"]

Reads the pages as newsletterd reads a content folder (Markdown with front matter, .txt pages
whose first line is the title, .html pages; see README "Content") and writes, under OUT_DIR:

- one page per source page, at its path without the extension + ".html" (an index.* is its
  folder's index.html), dressed as a WordPress / LocalGov Drupal page: cookie banner, skip
  link, header with logo, search and a mega menu (with a "Latest news" teaser of dated
  posts), breadcrumbs, <main> with the page, and a footer. The canonical URL is the one the
  product gives the file: base URL + path without the extension (an index is its folder + /).
- sitemap.xml (every published page and post, <lastmod> from the page's own last-updated
  date, else a post's date, else none) and sitemap_index.xml pointing at it, as Yoast does;
- BLOG/feed.xml (RSS 2.0) and BLOG/atom.xml (Atom 1.0) of the posts, newest first;
- robots.txt, and the theme's assets (assets/css/site.css, assets/images/logo.svg).

The output depends only on the input (no clock, no file times), so rerunning gives the same
bytes. A file is written only when its bytes change (atomically), so nginx's ETag and
Last-Modified stay put for pages that did not change. The files written are listed in
OUT_DIR/.render-demo-site.manifest; a file listed there that the site no longer has (a page
deleted or made a draft) is removed. Nothing else in OUT_DIR is touched.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import email.utils
import html
import json
import os
import re
import sys
import tempfile
import urllib.parse
from html.parser import HTMLParser

MANIFEST = ".render-demo-site.manifest"
COPYRIGHT_YEAR = 2026  # fixed, so that the output never depends on the clock
MAX_FILE_SIZE = 5 * 1024 * 1024
PAGE_EXTENSIONS = {"md": "markdown", "markdown": "markdown", "html": "html", "htm": "html", "txt": "text"}
# Front matter fields for the "last updated" date, in the product's order of preference.
MODIFIED_FIELDS = ("last_updated", "lastmod", "last_modified_at", "updated", "modified")
# <meta> names an HTML page gives its "last updated" date in, in the product's order.
MODIFIED_META = ("article:modified_time", "dcterms.modified", "last-modified")
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
MARKER_LINE_MAX = 120  # a "last updated" paragraph longer than this is prose, not a marker line


def warn(message: str) -> None:
    print(f"render_demo_site: warning: {message}", file=sys.stderr)


def fail(message: str, status: int = 1) -> None:
    print(f"render_demo_site: {message}", file=sys.stderr)
    sys.exit(status)


# ---------------------------------------------------------------------------------------------
# Dates


_MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)}
_MONTHS.update({name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DATE_RE = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?[ \t]+)?"
    r"(?:"
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"(?P<time>[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[ ]?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
    r"|(?P<nd>\d{1,2})[/.-](?P<nm>\d{1,2})[/.-](?P<ny>\d{4})"
    rf"|(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t]+(?P<dm>{_MONTH_RE})(?![a-z])\.?,?[ \t]+(?P<dy>\d{{4}})"
    rf"|(?P<md>{_MONTH_RE})(?![a-z])\.?[ \t]+(?P<mdd>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<mdy>\d{{4}})"
    r")(?![0-9])",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class FoundDate:
    day: dt.date
    moment: dt.datetime | None  # when the text gave a time too (ISO dates only)
    text: str  # the date as written


def read_date_at(text: str, pos: int = 0) -> tuple[FoundDate, int] | None:
    """A date starting at text[pos] (day-month-year for numeric dates), and where it ends."""
    m = _DATE_RE.match(text, pos)
    if not m:
        return None
    try:
        if m["iy"]:
            day = dt.date(int(m["iy"]), int(m["im"]), int(m["id"]))
        elif m["ny"]:
            day = dt.date(int(m["ny"]), int(m["nm"]), int(m["nd"]))
        elif m["dy"]:
            day = dt.date(int(m["dy"]), _MONTHS[m["dm"].lower()], int(m["dd"]))
        else:
            day = dt.date(int(m["mdy"]), _MONTHS[m["md"].lower()], int(m["mdd"]))
    except ValueError:  # 31/02/2024: not a real date
        return None
    moment = None
    if m["iy"] and m["time"]:
        moment = _parse_iso_moment(m.group(0))
    return FoundDate(day, moment, m.group(0)), m.end()


def _parse_iso_moment(text: str) -> dt.datetime | None:
    value = re.sub(r"^(?:[A-Za-z]+\.?,?\s+)", "", text.strip())
    value = re.sub(r"\s+(?=[Zz+-]\d{0,2})$|\s+(?=[+-]\d{2})", "", value)
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})(.*)$", value)
    if m:
        value = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}{m[4]}"
    try:
        moment = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)  # a time without a zone is UTC, as in the product
    return moment


def read_date_value(value: str) -> FoundDate | None:
    """A whole field value as a date ("2024-01-18", "2024-04-08T09:00:00+01:00", "5 May 2022")."""
    value = value.strip()
    found = read_date_at(value)
    if found and not value[found[1]:].strip():
        return found[0]
    # HTTP-style dates in <meta http-equiv="last-modified">: "Tue, 12 Mar 2024 09:30:00 GMT".
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return FoundDate(moment.date(), moment, value)


_KEYWORD_RE = re.compile(r"(?<![A-Za-z])(updated|reviewed|modified|revised)(?![A-Za-z])", re.IGNORECASE)
_LAST_RE = re.compile(r"(?<![A-Za-z])last[ \t]+$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Marker:
    date: FoundDate
    strong: bool  # "last updated", not a bare "Updated"


def find_marker(text: str) -> Marker | None:
    """The visible "last updated" phrase, as the product finds it: updated, reviewed, modified
    or revised, then ":", a dash or "on", then a date. One after "last" wins over a bare one;
    among equals the last in the text wins."""
    best: Marker | None = None
    for m in _KEYWORD_RE.finditer(text):
        pos = m.end()
        pos = _skip_spaces(text, pos)
        if pos < len(text) and text[pos] in ":-,\u2013\u2014":
            pos = _skip_spaces(text, pos + 1)
        on = re.compile(r"on(?:[ \t]+|:[ \t]*)", re.IGNORECASE).match(text, pos)
        if on:
            pos = on.end()
        found = read_date_at(text, pos)
        if not found:
            continue
        strong = bool(_LAST_RE.search(text, 0, m.start()))
        candidate = Marker(found[0], strong)
        if best is None or strong or not best.strong:
            best = candidate
    return best


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def rfc3339(moment: dt.datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def moment_of(found: FoundDate) -> dt.datetime:
    return found.moment or dt.datetime(found.day.year, found.day.month, found.day.day, tzinfo=dt.timezone.utc)


def iso_value(found: FoundDate) -> str:
    """A date for machines (meta tags, JSON-LD): as written when it is ISO 8601 already."""
    if found.moment:
        return rfc3339(found.moment) if not re.match(r"\d{4}-\d{2}-\d{2}T", found.text) else found.text
    return found.day.isoformat()


# ---------------------------------------------------------------------------------------------
# Reading source files


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # as the product reads text that is not UTF-8
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_front_matter(text: str) -> tuple[dict[str, object] | None, str]:
    """YAML-ish front matter between --- lines (closed by --- or ...): scalars, [a, b] lists,
    block lists and folded/literal blocks. Unclosed front matter is read as text."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        warn("front matter starts with --- but is never closed; it is read as text")
        return None, text
    fields: dict[str, object] = {}
    key = None
    block: list[str] | None = None
    for line in lines[1:end]:
        if not line.strip() or line.lstrip().startswith("#"):
            if block is not None and not line.strip():
                block.append("")
            continue
        indented = line[:1] in (" ", "\t")
        if indented and key is not None:
            item = re.match(r"\s*-\s+(.*)$", line)
            if block is not None:
                block.append(line.strip())
                fields[key] = " ".join(part for part in block if part)
            elif item:
                current = fields.get(key)
                items = current if isinstance(current, list) else []
                items.append(_scalar(item[1]))
                fields[key] = items
            continue
        m = re.match(r"([A-Za-z0-9_.-]+)\s*:(?:\s+(.*))?$", line.rstrip())
        if not m:
            key, block = None, None
            continue
        key, raw = m[1].lower(), (m[2] or "").strip()
        block = None
        if raw in ("|", ">", "|-", ">-", "|+", ">+"):
            block = []
            fields[key] = ""
        elif raw.startswith("[") and raw.endswith("]"):
            inner = raw[1:-1].strip()
            fields[key] = [_scalar(part) for part in _split_flow(inner)] if inner else []
        else:
            fields[key] = _scalar(raw)
    return fields, "\n".join(lines[end + 1:])


def _split_flow(text: str) -> list[str]:
    parts, current, quote = [], "", None
    for ch in text:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == ",":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            return json.loads(raw)
        except ValueError:
            return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    return re.sub(r"\s+#.*$", "", raw)


def field_text(fields: dict[str, object], *names: str) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def field_list(fields: dict[str, object], *names: str) -> list[str]:
    for name in names:
        value = fields.get(name)
        if isinstance(value, list):
            items = [str(item).strip() for item in value if str(item).strip()]
        elif isinstance(value, str):
            items = [part.strip() for part in value.split(",") if part.strip()]
        else:
            continue
        if items:
            return items
    return []


# ---------------------------------------------------------------------------------------------
# The page body, as blocks of HTML with their text


@dataclasses.dataclass
class Block:
    html: str
    text: str  # plain text, for finding the marker and the excerpt
    kind: str  # "p", "h", "list", "other"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def strip_tags(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())


# -- Markdown (a small converter: headings, paragraphs, lists, quotes, code, rules, links, emphasis)

_LIST_ITEM_RE = re.compile(r"^([ \t]*)([-*+\u2022]|\d{1,9}[.)])[ \t]+(.*)$")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE_RE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE_RE = re.compile(r"^ {0,3}(```+|~~~+)")
_HTML_BLOCK_RE = re.compile(
    r"^ {0,3}<(?:/?(?:address|article|aside|blockquote|details|div|dl|figure|footer|form|h[1-6]|header|hr|iframe|ol|p|pre|"
    r"section|table|ul)\b|!--)", re.IGNORECASE)


def markdown_blocks(text: str) -> list[Block]:
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        fence = _FENCE_RE.match(line)
        if fence:
            code, i = [], i + 1
            while i < len(lines) and not lines[i].strip().startswith(fence[1]):
                code.append(lines[i])
                i += 1
            i += 1
            body = "\n".join(code)
            blocks.append(Block(f"<pre><code>{esc(body)}</code></pre>", body, "other"))
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            content = (heading[2] or "").strip()
            level = len(heading[1])
            blocks.append(Block(f"<h{level}>{inline_markdown(content)}</h{level}>", plain_markdown(content), "h"))
            i += 1
            continue
        if _RULE_RE.match(line):
            blocks.append(Block("<hr>", "", "other"))
            i += 1
            continue
        if _HTML_BLOCK_RE.match(line):
            raw = []
            while i < len(lines) and lines[i].strip():
                raw.append(lines[i])
                i += 1
            fragment = "\n".join(raw)
            blocks.append(Block(fragment, strip_tags(fragment), "p" if re.match(r"\s*<p\b", fragment, re.I) else "other"))
            continue
        if line.lstrip().startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].strip() and lines[i].lstrip().startswith(">"):
                quoted.append(re.sub(r"^\s*> ?", "", lines[i]))
                i += 1
            inner = markdown_blocks("\n".join(quoted))
            blocks.append(Block("<blockquote>\n" + "\n".join(b.html for b in inner) + "\n</blockquote>",
                                " ".join(b.text for b in inner), "other"))
            continue
        if _LIST_ITEM_RE.match(line):
            i = _markdown_list(lines, i, blocks)
            continue
        para = []
        while i < len(lines) and lines[i].strip():
            if para and (_HEADING_RE.match(lines[i]) or _FENCE_RE.match(lines[i]) or _LIST_ITEM_RE.match(lines[i])
                         or lines[i].lstrip().startswith(">") or _HTML_BLOCK_RE.match(lines[i])):
                break
            if para and re.match(r"^ {0,3}(=+|-+)[ \t]*$", lines[i]):  # setext heading
                level = 1 if lines[i].strip()[0] == "=" else 2
                content = " ".join(part.strip() for part in para)
                blocks.append(Block(f"<h{level}>{inline_markdown(content)}</h{level}>", plain_markdown(content), "h"))
                para = []
                i += 1
                break
            para.append(lines[i])
            i += 1
        if para:
            rendered = []
            for n, part in enumerate(para):
                hard = part.endswith("  ") and n < len(para) - 1
                rendered.append(inline_markdown(part.strip()) + ("<br>" if hard else ""))
            content = " ".join(part.strip() for part in para)
            blocks.append(Block("<p>" + "\n".join(rendered) + "</p>", plain_markdown(content), "p"))
    return blocks


def _markdown_list(lines: list[str], i: int, blocks: list[Block]) -> int:
    first = _LIST_ITEM_RE.match(lines[i])
    ordered = first[2][0].isdigit()
    start = int(first[2][:-1]) if ordered else 1
    items: list[list[str]] = []
    while i < len(lines):
        line = lines[i]
        item = _LIST_ITEM_RE.match(line)
        if item:
            if not item[1] and item[2][0].isdigit() != ordered:
                break  # the other kind of list starts
            items.append([item[3]])  # a nested item is flattened into this list
        elif line.strip():
            after_blank = not lines[i - 1].strip()
            if (after_blank and line[:1] not in (" ", "\t")) or _HEADING_RE.match(line) or _FENCE_RE.match(line):
                break
            items[-1].append(line.strip())
        else:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if not (_LIST_ITEM_RE.match(following) or (following[:1] in (" ", "\t") and following.strip())):
                break
        i += 1
    tag = "ol" if ordered else "ul"
    opening = f'<ol start="{start}">' if ordered and start != 1 else f"<{tag}>"
    body = "\n".join(f"<li>{inline_markdown(' '.join(parts))}</li>" for parts in items)
    text = " ".join(plain_markdown(" ".join(parts)) for parts in items)
    blocks.append(Block(f"{opening}\n{body}\n</{tag}>", text, "list"))
    return i


_PLACEHOLDER = "\x00{}\x00"


def inline_markdown(text: str) -> str:
    saved: list[str] = []

    def keep(fragment: str) -> str:
        saved.append(fragment)
        return _PLACEHOLDER.format(len(saved) - 1)

    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|])", lambda m: keep(esc(m[1])), text)
    text = re.sub(r"(`+)(.+?)\1", lambda m: keep(f"<code>{esc(m[2].strip())}</code>"), text)
    text = re.sub(r"<((?:https?|mailto):[^\s<>]+)>", lambda m: keep(f'<a href="{attr(m[1])}">{esc(m[1])}</a>'), text)

    def image(m: re.Match) -> str:
        return keep(f'<img src="{attr(link_target(m[2]))}" alt="{attr(m[1])}">')

    def link(m: re.Match) -> str:
        title = f' title="{attr(m[3])}"' if m[3] else ""
        return keep(f'<a href="{attr(link_target(m[2]))}"{title}>') + m[1] + keep("</a>")

    text = re.sub(r"!\[([^\]]*)\]\(\s*<?([^\s)>]+)>?\s*\)", image, text)
    text = re.sub(r"\[([^\]]+)\]\(\s*<?([^\s)>]+)>?(?:\s+\"([^\"]*)\")?\s*\)", link, text)
    text = esc(text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"<strong>\2</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", text)
    text = re.sub(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])", r"<em>\1</em>", text)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m[1])], text)
    return text


def plain_markdown(text: str) -> str:
    return strip_tags(inline_markdown(text))


def link_target(url: str) -> str:
    """A link to another source page (`../money/grants.md`) becomes the page's address."""
    url = html.unescape(url)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^#", url, re.IGNORECASE):
        return url
    path, _, fragment = url.partition("#")
    m = re.match(r"^(.*?)([^/]*)\.(md|markdown|txt|html?)$", path, re.IGNORECASE)
    if m:
        stem = m[2]
        path = m[1] if stem in ("index", "_index") else m[1] + stem
    return path + ("#" + fragment if fragment else "")


# -- Plain text: paragraphs, and lines starting with a bullet or a number as list items

_TEXT_ITEM_RE = re.compile(r"^[ \t]*(?:([-*\u2022\u2013\u00b7\u25aa\u25e6\u25cb+])|(\d{1,3})[.)])[ \t]+(.*)$")


def text_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    items: list[list[str]] = []
    ordered = False

    def finish_para() -> None:
        if para:
            content = " ".join(para)
            blocks.append(Block(f"<p>{esc(content)}</p>", content, "p"))
            para.clear()

    def finish_list() -> None:
        if items:
            tag = "ol" if ordered else "ul"
            body = "\n".join(f"<li>{esc(' '.join(parts))}</li>" for parts in items)
            blocks.append(Block(f"<{tag}>\n{body}\n</{tag}>", " ".join(" ".join(parts) for parts in items), "list"))
            items.clear()

    in_item = False
    for raw in lines:
        line = raw.strip()
        if not line:
            finish_para()
            in_item = False
            continue
        item = _TEXT_ITEM_RE.match(raw)
        if item:
            finish_para()
            if items and ordered != bool(item[2]):
                finish_list()
            ordered = bool(item[2])
            items.append([item[3].strip()])
            in_item = True
        elif in_item:
            items[-1].append(line)
        else:
            finish_list()
            para.append(line)
    finish_para()
    finish_list()
    return blocks


# -- HTML pages: their <head> (title, meta tags, lang) and the top-level blocks of their content


class _HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.metas: list[dict[str, str]] = []
        self.lang: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "html" and values.get("lang"):
            self.lang = values["lang"]
        elif tag == "meta":
            self.metas.append(values)
        elif tag == "title" and self.title is None:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split())

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _TopLevelSplitter(HTMLParser):
    """Cuts an HTML fragment into its top-level elements (and runs of loose text), by offset."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0]
        for m in re.finditer("\n", source):
            self.line_starts.append(m.end())
        self.depth = 0
        self.start: int | None = None
        self.tag: str | None = None
        self.spans: list[tuple[int, int, str]] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        here = self.position()
        if self.depth == 0:
            text = self.get_starttag_text() or ""
            if tag in _VOID:
                self.spans.append((here, here + len(text), tag))
                return
            self.start, self.tag = here, tag
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            here = self.position()
            self.spans.append((here, here + len(self.get_starttag_text() or ""), tag))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0 and self.start is not None:
            here = self.position()
            end = self.source.find(">", here)
            self.spans.append((self.start, end + 1 if end >= 0 else len(self.source), self.tag or ""))
            self.start = None

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and data.strip():
            here = self.position()
            self.spans.append((here, here + len(data), "#text"))

    def handle_comment(self, data: str) -> None:
        pass


def html_blocks(fragment: str) -> list[Block]:
    splitter = _TopLevelSplitter(fragment)
    splitter.feed(fragment)
    splitter.close()
    if splitter.start is not None:  # an element never closed: the rest is one block
        splitter.spans.append((splitter.start, len(fragment), splitter.tag or ""))
    blocks = []
    for start, end, tag in sorted(splitter.spans):
        raw = fragment[start:end].strip()
        if tag in ("script", "style", "template", "noscript"):
            continue
        if tag == "#text":
            blocks.append(Block(f"<p>{raw}</p>", strip_tags(raw), "p"))
            continue
        kind = "p" if tag == "p" else "h" if re.fullmatch(r"h[1-6]", tag) else "list" if tag in ("ul", "ol") else "other"
        blocks.append(Block(raw, strip_tags(raw), kind))
    return blocks


def html_content(source: str) -> str:
    """What an HTML page holds: its <main>, else its <article>, else its <body>, else all of it."""
    for tag in ("main", "article", "body"):
        m = re.search(rf"<{tag}\b[^>]*>(.*)</{tag}\s*>", source, re.IGNORECASE | re.DOTALL)
        if m:
            return m[1]
    m = re.search(r"</head\s*>(.*)$", source, re.IGNORECASE | re.DOTALL)
    return m[1] if m else source


# ---------------------------------------------------------------------------------------------
# Pages


@dataclasses.dataclass
class Page:
    source: str  # path inside SRC_DIR, with "/"
    kind: str  # "page" or "post"
    title: str
    url: str
    out: str  # path inside OUT_DIR
    blocks: list[Block]
    marker: Block | None = None  # the "last updated" line, shown at the end of main
    description: str | None = None
    modified: FoundDate | None = None  # a last-updated field (front matter or <meta>)
    modified_meta: str | None = None  # emitted as article:modified_time
    visible: Marker | None = None  # the visible "last updated" phrase
    published: FoundDate | None = None  # a post's date
    categories: list[str] = dataclasses.field(default_factory=list)
    extra_meta: list[dict[str, str]] = dataclasses.field(default_factory=list)

    @property
    def last_updated(self) -> dt.date | None:
        if self.modified:
            return self.modified.day
        return self.visible.date.day if self.visible else None

    @property
    def last_updated_iso(self) -> str | None:
        if self.modified:
            return iso_value(self.modified)
        return self.visible.date.day.isoformat() if self.visible else None

    @property
    def section(self) -> str:
        parts = self.source.split("/")
        return parts[0] if len(parts) > 1 else ""

    def excerpt(self, words: int = 55) -> str:
        if self.description:
            return self.description
        for block in self.blocks:
            if block.kind == "p" and block.text:
                parts = block.text.split()
                return " ".join(parts[:words]) + (" [\u2026]" if len(parts) > words else "")
        return ""


def is_ignored(name: str) -> bool:
    return (name.startswith(".") or name.endswith("~") or name == "4913" or (name.startswith("#") and name.endswith("#"))
            or name.endswith((".swp", ".swo", ".swx", ".tmp")))


def page_format(name: str) -> str | None:
    stem, dot, ext = name.rpartition(".")
    return PAGE_EXTENSIONS.get(ext.lower()) if dot and stem else None


def is_index(name: str) -> bool:
    return page_format(name) is not None and name.rpartition(".")[0] in ("index", "_index")


_SEGMENT_SAFE = "-._~!$&'()*+,=:@"


def page_address(source: str, permalink: str | None) -> tuple[str, str, bool]:
    """The page's URL path (or absolute URL) and its output file, as the product names file
    pages: the path without the extension; index.* stands for its folder."""
    if permalink and not re.match(r"^https?://", permalink):
        path = "/" + permalink.lstrip("/")
        segments = [s for s in path.split("/") if s]
        if ".." not in segments and "." not in segments:
            quoted = urllib.parse.quote(path, safe=_SEGMENT_SAFE + "/%")
            if path.endswith("/") or not segments:
                out = "/".join(segments + ["index.html"])
            elif re.search(r"\.html?$", segments[-1], re.IGNORECASE):
                out = "/".join(segments)
            else:
                out = "/".join(segments) + ".html"
            return quoted, out, False
        warn(f"{source}: permalink {permalink!r} leaves the site; the file's own path is used")
    parts = source.split("/")
    name = parts.pop()
    if is_index(name):
        out_parts = parts + ["index.html"]
        url = "/" + "/".join(urllib.parse.quote(p, safe=_SEGMENT_SAFE) for p in parts) + ("/" if parts else "")
    else:
        stem = name.rpartition(".")[0]
        out_parts = parts + [stem + ".html"]
        url = "/" + "/".join(urllib.parse.quote(p, safe=_SEGMENT_SAFE) for p in parts + [stem])
    return url, "/".join(out_parts), bool(permalink)


def fallback_title(source: str) -> str:
    parts = source.split("/")
    name = parts.pop()
    if is_index(name):
        if not parts:
            return "Home"
        name = parts[-1]
    else:
        name = name.rpartition(".")[0]
    words = " ".join(name.replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else source


def date_in_name(source: str) -> FoundDate | None:
    name = source.rsplit("/", 1)[-1]
    m = re.match(r"(\d{4}-\d{2}-\d{2})[-_.]", name)
    if not m:
        return None
    try:
        return FoundDate(dt.date.fromisoformat(m[1]), None, m[1])
    except ValueError:
        return None


def read_page(root: str, source: str, base_url: str, blog_dir: str) -> Page | None:
    with open(os.path.join(root, *source.split("/")), "rb") as handle:
        data = handle.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        warn(f"{source}: larger than 5 MB; skipped")
        return None
    if b"\x00" in data[:8192]:
        warn(f"{source}: binary content; skipped")
        return None
    text = decode(data)
    fmt = page_format(source.rsplit("/", 1)[-1])
    rest = source[len(blog_dir) + 1:] if blog_dir and source.startswith(blog_dir + "/") else None
    kind = "post" if rest is not None and not ("/" not in rest and is_index(rest)) else "page"

    title: str | None = None
    description: str | None = None
    modified: FoundDate | None = None
    modified_meta: str | None = None
    published: FoundDate | None = None
    categories: list[str] = []
    extra_meta: list[dict[str, str]] = []
    permalink: str | None = None

    if fmt == "markdown":
        fields, body = parse_front_matter(text)
        fields = fields or {}
        if str(fields.get("draft", "")).strip().lower() in ("true", "yes", "on"):
            return None
        title = field_text(fields, "title")
        description = field_text(fields, "description", "summary")
        categories = field_list(fields, "topics", "tags", "categories")
        permalink = field_text(fields, "url", "permalink")
        for name in MODIFIED_FIELDS:
            value = field_text(fields, name)
            if value:
                modified = read_date_value(value)
                if modified is None:
                    warn(f"{source}: front matter {name} {value!r} is not a date; ignored")
                    continue
                modified_meta = iso_value(modified)
                break
        if kind == "post":
            value = field_text(fields, "date")
            if value:
                published = read_date_value(value)
                if published is None:
                    warn(f"{source}: front matter date {value!r} is not a date; the file name's date is used")
        blocks = markdown_blocks(body)
        heading = next((i for i, b in enumerate(blocks) if b.kind == "h"), None)
        if title is None and heading is not None:
            title = blocks[heading].text
            del blocks[heading]
        elif blocks and blocks[0].kind == "h" and blocks[0].text == title:
            del blocks[0]  # the body repeats the title as its first heading
    elif fmt == "text":
        lines = text.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None:
            title = " ".join(lines[first].split())
            lines = lines[first + 1:]
        blocks = text_blocks(lines)
        if blocks and blocks[0].kind == "p" and blocks[0].text == title:
            del blocks[0]  # pages pasted from the web repeat the title as their first heading
    else:
        head = _HeadReader()
        head.feed(text)
        head.close()
        title = head.title
        for meta in head.metas:
            key = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").lower()
            content = meta.get("content", "")
            if not key or "charset" in meta or key in ("viewport", "content-type"):
                continue
            if key == "description":
                description = description or (" ".join(content.split()) or None)
            elif key == "article:published_time":
                published = published or read_date_value(content)
            elif key.startswith("og:") and key != "og:updated_time" or key.startswith("twitter:"):
                continue  # the theme writes its own
            else:
                if key in MODIFIED_META and modified is None:
                    modified = read_date_value(content)
                    if key == "article:modified_time" and modified:
                        modified_meta = content.strip()
                        continue
                extra_meta.append(meta)
        blocks = html_blocks(html_content(text))
        heading = next((i for i, b in enumerate(blocks) if b.html[:3].lower() == "<h1"), None)
        if heading is not None:
            if title is None:
                title = blocks[heading].text
            if blocks[heading].text == title:
                del blocks[heading]
            else:
                demoted = re.sub(r"(?i)^<h1", "<h2", blocks[heading].html)
                blocks[heading].html = re.sub(r"(?i)</h1\s*>$", "</h2>", demoted)
                blocks[heading].kind = "h"

    if kind == "post" and published is None:
        published = date_in_name(source)

    # The visible "last updated" line: the product's choice of phrase; a short paragraph of
    # its own moves to the end of main, as sites print it.
    visible: Marker | None = None
    marker_index: int | None = None
    for index, block in enumerate(blocks):
        found = find_marker(block.text)
        if found and (visible is None or found.strong or not visible.strong):
            visible, marker_index = found, index
    marker = None
    if marker_index is not None and blocks[marker_index].kind == "p" and len(blocks[marker_index].text) < MARKER_LINE_MAX:
        marker = blocks.pop(marker_index)

    url, out, _ = page_address(source, permalink)
    if permalink and re.match(r"^https?://", permalink):
        canonical = permalink
    else:
        canonical = base_url + url
    return Page(source=source, kind=kind, title=title or fallback_title(source), url=canonical, out=out, blocks=blocks,
                marker=marker, description=description, modified=modified, modified_meta=modified_meta, visible=visible,
                published=published, categories=categories, extra_meta=extra_meta)


def walk_sources(root: str) -> list[str]:
    real_root = os.path.realpath(root)
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d) and not os.path.islink(os.path.join(folder, d)))
        for name in sorted(files):
            if is_ignored(name) or page_format(name) is None:
                continue
            full = os.path.join(folder, name)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if not (target.startswith(real_root + os.sep) and os.path.isfile(target)):
                    warn(f"{os.path.relpath(full, root)}: a symlink leading outside the folder; skipped")
                    continue
            found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# Rendering


@dataclasses.dataclass
class Site:
    name: str
    base: str  # without a trailing slash
    blog_dir: str
    pages: list[Page]

    @property
    def posts(self) -> list[Page]:
        """Newest first; undated posts last, by path."""
        posts = [p for p in self.pages if p.kind == "post"]
        return sorted(posts, key=lambda p: (p.published is None, -(moment_of(p.published).timestamp()) if p.published else 0,
                                            p.source))

    @property
    def blog_index(self) -> Page | None:
        return next((p for p in self.pages if p.kind == "page" and p.source.startswith(self.blog_dir + "/")
                     and "/" not in p.source[len(self.blog_dir) + 1:]), None)

    def section_label(self, folder: str) -> str:
        if folder == self.blog_dir:
            return "News"
        words = " ".join(folder.replace("-", " ").replace("_", " ").split())
        return words[:1].upper() + words[1:]

    def section_link(self, folder: str) -> str | None:
        index = next((p for p in self.pages if p.kind == "page" and p.source.split("/")[:-1] == [folder]
                      and is_index(p.source.rsplit("/", 1)[-1])), None)
        return index.url if index else None


def local(url: str, base: str) -> str:
    return url[len(base):] or "/" if url.startswith(base + "/") or url == base else url


def render_menu(site: Site, current: Page) -> str:
    base = site.base
    folders = sorted({p.section for p in site.pages if p.section and p.section != site.blog_dir})
    if any(p.section == site.blog_dir for p in site.pages):
        folders.append(site.blog_dir)
    out = ['<nav id="site-navigation" class="main-navigation mega-menu" aria-label="Main menu">',
           '<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button>',
           '<ul id="primary-menu" class="menu">']
    home = '<li class="menu-item menu-item-home{}"><a href="/"{}>Home</a></li>'
    is_home = current.url == base + "/"
    out.append(home.format(" current-menu-item" if is_home else "", ' aria-current="page"' if is_home else ""))
    for page in sorted((p for p in site.pages if not p.section and p.url != base + "/"), key=lambda p: p.title.lower()):
        out.append(f'<li class="menu-item"><a href="{attr(local(page.url, base))}">{esc(page.title)}</a></li>')
    for folder in folders:
        link = site.section_link(folder)
        label = esc(site.section_label(folder))
        active = " current-menu-ancestor" if current.section == folder else ""
        out.append(f'<li class="menu-item menu-item-has-children{active}">')
        out.append(f'<a href="{attr(local(link, base))}">{label}</a>' if link else f'<span class="menu-heading">{label}</span>')
        out.append('<ul class="sub-menu">')
        members = [p for p in site.pages if p.section == folder and p.kind == "page"]
        for page in sorted(members, key=lambda p: (not is_index(p.source.rsplit("/", 1)[-1]), p.title.lower(), p.source)):
            mark = ' aria-current="page"' if page is current else ""
            out.append(f'<li class="menu-item"><a href="{attr(local(page.url, base))}"{mark}>{esc(page.title)}</a></li>')
        out.append("</ul>")
        out.append("</li>")
    out.append("</ul>")
    latest = site.posts[:3]
    if latest:
        out.append('<div class="mega-menu-panel latest-news">')
        out.append('<h2 class="latest-news-title">Latest news</h2>')
        out.append('<ul class="latest-news-list">')
        for post in latest:
            when = ""
            if post.published:
                when = (f' <time class="latest-news-date" datetime="{attr(post.published.day.isoformat())}">'
                        f"{esc(long_date(post.published.day))}</time>")
            out.append(f'<li><a href="{attr(local(post.url, base))}">{esc(post.title)}</a>{when}</li>')
        out.append("</ul>")
        blog = site.blog_index
        if blog:
            out.append(f'<a class="latest-news-more" href="{attr(local(blog.url, base))}">All news</a>')
        out.append("</div>")
    out.append("</nav>")
    return "\n".join(out)


def render_breadcrumbs(site: Site, page: Page) -> tuple[str, list[tuple[str, str | None]]]:
    trail: list[tuple[str, str | None]] = [("Home", site.base + "/")]
    if page.section:
        link = site.section_link(page.section)
        if link != page.url:
            trail.append((site.section_label(page.section), link))
    trail.append((page.title, None))
    items = []
    for n, (label, link) in enumerate(trail):
        if n == len(trail) - 1:
            items.append(f'<li class="breadcrumb-item active" aria-current="page">{esc(label)}</li>')
        elif link:
            items.append(f'<li class="breadcrumb-item"><a href="{attr(local(link, site.base))}">{esc(label)}</a></li>')
        else:
            items.append(f'<li class="breadcrumb-item"><span>{esc(label)}</span></li>')
    markup = ('<nav class="breadcrumb" aria-label="Breadcrumb">\n<ol class="breadcrumb-list">\n' + "\n".join(items)
              + "\n</ol>\n</nav>")
    return markup, trail


def json_ld(site: Site, page: Page, trail: list[tuple[str, str | None]]) -> str:
    base = site.base
    node: dict[str, object] = {
        "@type": "BlogPosting" if page.kind == "post" else "WebPage",
        "@id": page.url + "#" + ("article" if page.kind == "post" else "webpage"),
    }
    if page.kind == "post":
        node["headline"] = page.title
        node["mainEntityOfPage"] = {"@id": page.url}
        node["author"] = {"@type": "Organization", "name": site.name, "url": base + "/"}
        node["publisher"] = {"@id": base + "/#organization"}
        if page.categories:
            node["articleSection"] = page.categories
    else:
        node["url"] = page.url
        node["name"] = f"{page.title} | {site.name}"
        node["isPartOf"] = {"@id": base + "/#website"}
        node["breadcrumb"] = {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": label, **({"item": link} if link else {})}
                for n, (label, link) in enumerate(trail, 1)
            ],
        }
    if page.description:
        node["description"] = page.description
    node["inLanguage"] = "en-GB"
    if page.published:
        node["datePublished"] = iso_value(page.published)
    if page.last_updated_iso:
        node["dateModified"] = page.last_updated_iso
    graph = [
        node,
        {"@type": "WebSite", "@id": base + "/#website", "url": base + "/", "name": site.name, "inLanguage": "en-GB",
         "publisher": {"@id": base + "/#organization"},
         "potentialAction": {"@type": "SearchAction", "target": base + "/?s={search_term_string}",
                             "query-input": "required name=search_term_string"}},
        {"@type": "Organization", "@id": base + "/#organization", "name": site.name, "url": base + "/",
         "logo": base + "/assets/images/logo.svg"},
    ]
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False, indent=1)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def render_page(site: Site, page: Page) -> str:
    base = site.base
    menu = render_menu(site, page)
    breadcrumbs, trail = render_breadcrumbs(site, page)
    is_home = page.url == base + "/"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en-GB" class="no-js">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(page.title)} | {esc(site.name)}</title>",
    ]
    if page.description:
        head.append(f'<meta name="description" content="{attr(page.description)}">')
    head.append('<meta name="robots" content="index, follow, max-image-preview:large">')
    head.append(f'<link rel="canonical" href="{attr(page.url)}">')
    head += [
        '<meta property="og:locale" content="en_GB">',
        f'<meta property="og:type" content="{"article" if page.kind == "post" else "website"}">',
        f'<meta property="og:title" content="{attr(page.title)}">',
    ]
    if page.description:
        head.append(f'<meta property="og:description" content="{attr(page.description)}">')
    head += [
        f'<meta property="og:url" content="{attr(page.url)}">',
        f'<meta property="og:site_name" content="{attr(site.name)}">',
    ]
    if page.kind == "post" and page.published:
        head.append(f'<meta property="article:published_time" content="{attr(iso_value(page.published))}">')
    if page.modified_meta:
        head.append(f'<meta property="article:modified_time" content="{attr(page.modified_meta)}">')
    for meta in page.extra_meta:
        attrs = " ".join(f'{name}="{attr(value)}"' for name, value in meta.items())
        head.append(f"<meta {attrs}>")
    head += [
        '<meta name="twitter:card" content="summary">',
        f'<link rel="alternate" type="application/rss+xml" title="{attr(site.name)} &raquo; Feed" '
        f'href="{attr(base)}/{attr(site.blog_dir)}/feed.xml">',
        f'<link rel="alternate" type="application/atom+xml" title="{attr(site.name)} &raquo; Atom feed" '
        f'href="{attr(base)}/{attr(site.blog_dir)}/atom.xml">',
        '<link rel="stylesheet" id="theme-css" href="/assets/css/site.css" media="all">',
        '<script type="application/ld+json" class="yoast-schema-graph">',
        json_ld(site, page, trail),
        "</script>",
        "</head>",
    ]
    body_class = ("home " if is_home else "") + ("single single-post" if page.kind == "post" else "page")
    body = [
        f'<body class="{body_class}">',
        '<div id="cookie-notice" class="cookie-banner" role="dialog" aria-live="polite" aria-label="Cookie consent">',
        '<p class="cookie-banner__text">We use cookies to improve your experience of our website. Some are essential '
        "to make the site work; others help us understand how you use it, so that we can make it better. "
        '<a href="/privacy-notice#cookies">Read our cookie policy</a>.</p>',
        '<div class="cookie-banner__buttons">',
        '<button type="button" class="button cookie-banner__accept" data-cookie="accept">Accept</button>',
        '<button type="button" class="button button--secondary cookie-banner__reject" data-cookie="reject">Reject</button>',
        "</div>",
        "</div>",
        '<a class="skip-link screen-reader-text" href="#main-content">Skip to main content</a>',
        '<div id="page" class="site">',
        '<header id="masthead" class="site-header" role="banner">',
        '<div class="site-header__inner">',
        f'<a class="site-logo custom-logo-link" href="/" rel="home"><img src="/assets/images/logo.svg" width="180" height="48" '
        f'alt="{attr(site.name)} home page"></a>',
        f'<p class="site-description">Information, advice and support for unpaid carers</p>',
        '<form role="search" method="get" class="search-form" action="/">',
        '<label for="site-search" class="screen-reader-text">Search this site</label>',
        '<input type="search" id="site-search" class="search-field" placeholder="Search&hellip;" value="" name="s">',
        '<button type="submit" class="search-submit">Search</button>',
        "</form>",
        "</div>",
        menu,
        "</header>",
        breadcrumbs,
        '<main id="main-content" class="site-main" tabindex="-1">',
        f'<article id="{"post" if page.kind == "post" else "page"}-{attr(slug(page.source))}" '
        f'class="{"post type-post" if page.kind == "post" else "page type-page"} status-publish hentry">',
        '<header class="entry-header">',
        f'<h1 class="entry-title">{esc(page.title)}</h1>',
    ]
    if page.kind == "post" and page.published:
        body.append(
            f'<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" '
            f'datetime="{attr(iso_value(page.published))}">{esc(long_date(page.published.day))}</time></span>'
            + (f' <span class="cat-links">in {", ".join(esc(c) for c in page.categories)}</span>' if page.categories else "")
            + "</div>")
    body.append("</header>")
    body.append('<div class="entry-content">')
    body += [block.html for block in page.blocks]
    if page.marker:
        marker = page.marker.html
        body.append('<p class="last-updated">' + marker[3:] if marker.startswith("<p>") else marker)
    body += ["</div>", "</article>", "</main>", render_footer(site), "</div>", "</body>", "</html>", ""]
    return "\n".join(head + body)


def render_footer(site: Site) -> str:
    name = esc(site.name)
    return "\n".join([
        '<footer id="colophon" class="site-footer" role="contentinfo">',
        '<div class="site-footer__columns">',
        '<section class="footer-contact" aria-labelledby="footer-contact-title">',
        '<h2 id="footer-contact-title">Contact us</h2>',
        f'<address>{name}<br>The Old Market Hall<br>Bridge Street<br>Bakewell<br>DE45 1DS</address>',
        '<p>Carers\' helpline: <a href="tel:+441134960000">0113 496 0000</a><br>',
        'Email: <a href="mailto:hello@carers.example.org">hello@carers.example.org</a></p>',
        "<p>Opening hours: Monday to Friday, 9am to 5pm (closed on bank holidays)</p>",
        "</section>",
        '<section class="footer-links" aria-labelledby="footer-links-title">',
        '<h2 id="footer-links-title">About this site</h2>',
        "<ul>",
        '<li><a href="/about-us">About us</a></li>',
        '<li><a href="/accessibility-statement">Accessibility statement</a></li>',
        '<li><a href="/privacy-notice">Privacy notice</a></li>',
        '<li><a href="/privacy-notice#cookies">Cookies</a></li>',
        f'<li><a href="/{attr(site.blog_dir)}/feed.xml">RSS feed</a></li>',
        '<li><a href="/sitemap_index.xml">Sitemap</a></li>',
        "</ul>",
        "</section>",
        "</div>",
        '<div class="site-info">',
        f"<p>&copy; {COPYRIGHT_YEAR} {name}. Registered charity number 1100000. "
        "A company limited by guarantee, registered in England and Wales, number 04800000.</p>",
        "</div>",
        "</footer>",
    ])


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().rpartition(".")[0] or text.lower()).strip("-") or "page"


# -- XML documents


def xesc(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&apos;")


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_sitemap(site: Site) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in sorted(site.pages, key=lambda p: (p.url != site.base + "/", p.url)):
        lastmod = page.last_updated or (page.published.day if page.kind == "post" and page.published else None)
        lines.append("\t<url>")
        lines.append(f"\t\t<loc>{xesc(page.url)}</loc>")
        if lastmod:
            lines.append(f"\t\t<lastmod>{lastmod.isoformat()}</lastmod>")
        lines.append("\t</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_sitemap_index(site: Site) -> str:
    # No <lastmod> here: it would change with every page's date.
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "\t<sitemap>",
        f"\t\t<loc>{xesc(site.base)}/sitemap.xml</loc>",
        "\t</sitemap>",
        "</sitemapindex>",
        "",
    ])


def post_updated(post: Page) -> dt.datetime | None:
    moments = [moment_of(d) for d in (post.published, post.modified) if d]
    return max(moments) if moments else None


def feed_facts(site: Site) -> tuple[str, str, str, dt.datetime | None]:
    blog = site.blog_index
    link = blog.url if blog else f"{site.base}/{site.blog_dir}/"
    title = site.name
    description = (blog.excerpt() if blog else "") or f"News from {site.name}"
    moments = [m for m in (post_updated(p) for p in site.posts) if m]
    return title, link, description, max(moments) if moments else None


def render_rss(site: Site) -> str:
    title, link, description, newest = feed_facts(site)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">',
        "<channel>",
        f"\t<title>{xesc(title)}</title>",
        f'\t<atom:link href="{xesc(site.base)}/{xesc(site.blog_dir)}/feed.xml" rel="self" type="application/rss+xml" />',
        f"\t<link>{xesc(link)}</link>",
        f"\t<description>{xesc(description)}</description>",
    ]
    if newest:
        lines.append(f"\t<lastBuildDate>{email.utils.format_datetime(newest.astimezone(dt.timezone.utc))}</lastBuildDate>")
    lines += ["\t<language>en-GB</language>", "\t<sy:updatePeriod>hourly</sy:updatePeriod>",
              "\t<sy:updateFrequency>1</sy:updateFrequency>"]
    for post in site.posts:
        lines.append("\t<item>")
        lines.append(f"\t\t<title>{xesc(post.title)}</title>")
        lines.append(f"\t\t<link>{xesc(post.url)}</link>")
        lines.append(f"\t\t<dc:creator>{cdata(site.name)}</dc:creator>")
        if post.published:
            moment = moment_of(post.published).astimezone(dt.timezone.utc)
            lines.append(f"\t\t<pubDate>{email.utils.format_datetime(moment)}</pubDate>")
        for category in post.categories:
            lines.append(f"\t\t<category>{cdata(category)}</category>")
        lines.append(f'\t\t<guid isPermaLink="true">{xesc(post.url)}</guid>')
        lines.append(f"\t\t<description>{cdata('<p>' + esc(post.excerpt()) + '</p>')}</description>")
        content = "\n".join([b.html for b in post.blocks] + ([post.marker.html] if post.marker else []))
        lines.append(f"\t\t<content:encoded>{cdata(content)}</content:encoded>")
        lines.append("\t</item>")
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines)


def render_atom(site: Site) -> str:
    title, link, description, newest = feed_facts(site)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
        f"\t<id>{xesc(link)}</id>",
        f'\t<title type="text">{xesc(title)}</title>',
        f'\t<subtitle type="text">{xesc(description)}</subtitle>',
        f'\t<link rel="alternate" type="text/html" href="{xesc(link)}" />',
        f'\t<link rel="self" type="application/atom+xml" href="{xesc(site.base)}/{xesc(site.blog_dir)}/atom.xml" />',
        f"\t<updated>{rfc3339(newest.astimezone(dt.timezone.utc)) if newest else '1970-01-01T00:00:00Z'}</updated>",
        f"\t<author><name>{xesc(site.name)}</name><uri>{xesc(site.base)}/</uri></author>",
    ]
    for post in site.posts:
        updated = post_updated(post) or newest
        lines.append("\t<entry>")
        lines.append(f"\t\t<id>{xesc(post.url)}</id>")
        lines.append(f'\t\t<title type="text">{xesc(post.title)}</title>')
        lines.append(f'\t\t<link rel="alternate" type="text/html" href="{xesc(post.url)}" />')
        if post.published:
            lines.append(f"\t\t<published>{rfc3339(moment_of(post.published))}</published>")
        lines.append(f"\t\t<updated>{rfc3339(updated) if updated else '1970-01-01T00:00:00Z'}</updated>")
        for category in post.categories:
            lines.append(f'\t\t<category term="{xesc(category)}" />')
        lines.append(f'\t\t<summary type="html">{xesc("<p>" + esc(post.excerpt()) + "</p>")}</summary>')
        lines.append("\t</entry>")
    lines += ["</feed>", ""]
    return "\n".join(lines)


def render_robots(site: Site) -> str:
    return "\n".join([
        "User-agent: *",
        "Disallow: /wp-admin/",
        "Allow: /wp-admin/admin-ajax.php",
        "",
        f"Sitemap: {site.base}/sitemap_index.xml",
        "",
    ])


STYLESHEET = """\
/* Demo theme: enough to look like a charity's site in a browser. */
:root { --brand: #5b2c6f; --ink: #1d1d1b; --muted: #55555a; --rule: #d8d3dc; }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.55 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink); }
a { color: var(--brand); }
.screen-reader-text { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.skip-link:focus { position: static; width: auto; height: auto; clip: auto; display: block; padding: .5em 1em; background: #ffdd00; }
.cookie-banner { background: #f3eef6; border-bottom: 2px solid var(--brand); padding: 1em 1.5em; }
.cookie-banner__buttons { display: flex; gap: .75em; }
.button { background: var(--brand); color: #fff; border: 0; padding: .5em 1.25em; font: inherit; cursor: pointer; }
.button--secondary { background: #fff; color: var(--brand); border: 2px solid var(--brand); }
.site-header { border-bottom: 4px solid var(--brand); }
.site-header__inner { display: flex; flex-wrap: wrap; align-items: center; gap: 1em 2em; padding: 1em 1.5em; }
.site-description { color: var(--muted); margin: 0; flex: 1; }
.search-form { display: flex; gap: .25em; }
.menu-toggle { display: none; }
.main-navigation { display: flex; flex-wrap: wrap; gap: 1em 2em; padding: 0 1.5em 1em; }
.main-navigation .menu { display: flex; flex-wrap: wrap; gap: .5em 1.5em; list-style: none; margin: 0; padding: 0; }
.sub-menu { list-style: none; margin: .25em 0 0; padding: 0; font-size: .85em; }
.menu-heading { font-weight: 600; }
.latest-news { border-left: 1px solid var(--rule); padding-left: 1.5em; font-size: .85em; }
.latest-news-title { font-size: 1em; margin: 0 0 .25em; }
.latest-news-list { list-style: none; margin: 0; padding: 0; }
.latest-news-date { color: var(--muted); display: block; }
.breadcrumb-list { display: flex; flex-wrap: wrap; gap: .5em; list-style: none; margin: 0; padding: .75em 1.5em; font-size: .85em; }
.breadcrumb-item + .breadcrumb-item::before { content: "\\203A"; margin-right: .5em; color: var(--muted); }
.site-main { max-width: 46em; padding: 0 1.5em 2em; }
.entry-meta, .last-updated { color: var(--muted); font-size: .9em; }
.last-updated { border-top: 1px solid var(--rule); padding-top: .75em; margin-top: 2em; }
.site-footer { background: #2d1637; color: #fff; padding: 2em 1.5em; }
.site-footer a { color: #fff; }
.site-footer__columns { display: flex; flex-wrap: wrap; gap: 2em 4em; }
.site-info { border-top: 1px solid rgba(255,255,255,.3); margin-top: 1.5em; font-size: .85em; }
"""

LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48" viewBox="0 0 180 48" role="img" aria-label="{name}">
<circle cx="24" cy="24" r="20" fill="#5b2c6f"/>
<path d="M24 34 14 24a6 6 0 0 1 10-7 6 6 0 0 1 10 7z" fill="#fff"/>
<text x="52" y="31" font-family="Arial, sans-serif" font-size="18" font-weight="700" fill="#5b2c6f">{name}</text>
</svg>
"""


# ---------------------------------------------------------------------------------------------
# Writing


def write_outputs(out_dir: str, outputs: dict[str, bytes]) -> tuple[int, int]:
    """Writes the files whose bytes changed, removes those a previous run wrote that are no
    longer part of the site, and records what this run owns."""
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, MANIFEST)
    previous: list[str] = []
    try:
        with open(manifest_path, encoding="utf-8") as handle:
            previous = [line.strip() for line in handle if line.strip()]
    except FileNotFoundError:
        pass
    written = 0
    for rel, data in sorted(outputs.items()):
        path = os.path.join(out_dir, *rel.split("/"))
        try:
            with open(path, "rb") as handle:
                if handle.read() == data:
                    continue
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".render-", dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        written += 1
    removed = 0
    real_out = os.path.realpath(out_dir)
    for rel in previous:
        parts = rel.split("/")
        if rel in outputs or rel.startswith("/") or ".." in parts or "" in parts:
            continue
        path = os.path.join(out_dir, *parts)
        if not os.path.realpath(path).startswith(real_out + os.sep):
            continue
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            continue
        folder = os.path.dirname(path)
        while os.path.realpath(folder) != real_out:
            try:
                os.rmdir(folder)  # only when empty
            except OSError:
                break
            folder = os.path.dirname(folder)
    listing = "".join(rel + "\n" for rel in sorted(outputs))
    if previous == sorted(outputs):
        return written, removed
    fd, tmp = tempfile.mkstemp(prefix=".render-", dir=out_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(listing)
    os.replace(tmp, manifest_path)
    return written, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publish a content folder as a CMS-style website (pages, sitemaps, "
                                                 "feeds, robots.txt) for newsletterd to watch over HTTP.")
    parser.add_argument("src_dir", metavar="SRC_DIR", help="the content folder (e.g. config/demo/site)")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="the folder nginx serves")
    parser.add_argument("--base-url", required=True, help="the site's address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--site-name", default="Carers Hub", help='the organisation\'s name (default "Carers Hub")')
    parser.add_argument("--blog-dir", default="blog", help="the blog's folder inside SRC_DIR (default blog)")
    args = parser.parse_args(argv)

    base = args.base_url.strip()
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", base):
        parser.error(f"--base-url {base!r} is not an http:// or https:// address")
    base = base.rstrip("/")
    site_name = " ".join(args.site_name.split())
    if not site_name:
        parser.error("--site-name is empty")
    blog_dir = args.blog_dir.strip("/")
    if not os.path.isdir(args.src_dir):
        fail(f"{args.src_dir}: not a folder", 66)
    src_real = os.path.realpath(args.src_dir)
    out_real = os.path.realpath(args.out_dir)
    if out_real == src_real or out_real.startswith(src_real + os.sep):
        fail("OUT_DIR must not be SRC_DIR or inside it: the pages written would be read as sources next time", 64)

    pages: list[Page] = []
    by_out: dict[str, Page] = {}
    for source in walk_sources(args.src_dir):
        try:
            page = read_page(args.src_dir, source, base, blog_dir)
        except OSError as error:
            warn(f"{source}: {error.strerror or error}; skipped")
            continue
        if page is None:
            continue
        if page.out in by_out:
            warn(f"{source}: the same address as {by_out[page.out].source} ({page.url}); skipped")
            continue
        by_out[page.out] = page
        pages.append(page)
    site = Site(name=site_name, base=base, blog_dir=blog_dir, pages=pages)

    outputs: dict[str, bytes] = {}
    for page in pages:
        outputs[page.out] = render_page(site, page).encode("utf-8")
    outputs["sitemap.xml"] = render_sitemap(site).encode("utf-8")
    outputs["sitemap_index.xml"] = render_sitemap_index(site).encode("utf-8")
    outputs["robots.txt"] = render_robots(site).encode("utf-8")
    outputs[f"{blog_dir}/feed.xml" if blog_dir else "feed.xml"] = render_rss(site).encode("utf-8")
    outputs[f"{blog_dir}/atom.xml" if blog_dir else "atom.xml"] = render_atom(site).encode("utf-8")
    outputs["assets/css/site.css"] = STYLESHEET.encode("utf-8")
    outputs["assets/images/logo.svg"] = LOGO.format(name=xesc(site_name)).encode("utf-8")

    written, removed = write_outputs(args.out_dir, outputs)
    posts = sum(1 for p in pages if p.kind == "post")
    print(f"render_demo_site: {len(pages) - posts} pages and {posts} posts in {args.out_dir} "
          f"({written} files written, {removed} removed, {len(outputs) - written} unchanged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
