"""Ingest: find input files, decode them, and turn them into ``Document`` objects with sentences.

Offsets in ``Document.sentences`` (and from ``iter_paragraphs``) are ``str`` indices into ``Document.text``;
for .txt/.md files that text is the decoded file exactly (minus a BOM), so offsets point into the original.
"""

from __future__ import annotations

import codecs
import datetime as dt
import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from kg.types import Document, Sentence, Skipped

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# spaCy's default nlp.max_length is 1,000,000 chars; pkuseg and the parser get slow long before that.
MAX_CHUNK_CHARS = 5000
TITLE_MAX_CHARS = 60

SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}

# Real text has almost no C0 controls besides whitespace; more than this share means binary data.
_MAX_CONTROL_SHARE = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c")
# GBK text is overwhelmingly GB2312 characters; mojibake lands in GBK's rare extension rows and PUA.
_MIN_COMMON_SHARE = 0.5

# Sentence ends: full- and half-width forms; "." is excluded because of numbers such as 1.5万.
_TERMINATORS = "。｡！!？?；;…⋯"
_CLOSERS = "”’」』）)］]】〕》〉\"'"
_BOUNDARY = re.compile(f"(?:[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*)+")
# Where an overlong line may be cut more gracefully than mid-clause.
_SOFT_BREAKS = frozenset(_TERMINATORS + _CLOSERS + "，,、：: \t\u3000")
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DATE = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<y1>(?:19|20)[0-9]{2})\s*年\s*(?P<m1>[0-9]{1,2})\s*月\s*(?P<d1>[0-9]{1,2})\s*[日号]"
    r"|(?P<y2>(?:19|20)[0-9]{2})(?P<sep>[-－./．／])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2})(?![0-9])"
    r"|(?P<m3>[0-9]{1,2})\s*月\s*(?P<d3>[0-9]{1,2})\s*[日号]"
    r")"
)
# A year in a file name: not glued to other letters/digits (hash-like stems), but 20200203 is fine.
_FILENAME_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)[0-9]{2})(?:[01][0-9][0-3][0-9])?(?![0-9A-Za-z])")

_HEADING = re.compile(r"^([#＃]{1,6})\s+(.+?)(?:\s+[#＃]+)?$")
_PHOTO_CREDIT = re.compile(r"摄\s*[)）]?$")
_BYLINE = re.compile(r"^(?:[►▶▲■●◆]|本报讯|\S{0,8}记者|通讯员|作者|来源|责任编辑|编辑|责编|[文图][/／])")


class IngestError(ValueError):
    """A file that cannot be ingested; ``str()`` names the file and the cause."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def discover(inputs: Iterable[Path | str]) -> list[Path]:
    """Input files, with folders searched recursively for supported files, sorted and de-duplicated.

    Paths given explicitly are kept even if missing or of another type, so that ``read_document`` can
    report why they are unusable instead of them vanishing silently. Hidden files and folders are skipped,
    and so are paths matching a glob pattern in a ``.kgignore`` file of the folder given (one a line, relative
    to that folder, e.g. ``gold/``: a corpus folder can hold its annotations and notes beside the articles).
    """
    found: set[Path] = set()
    for item in map(Path, inputs):
        if not item.is_dir():
            found.add(item)
            continue
        ignored = _ignore_patterns(item)
        for root, dirs, files in os.walk(item):
            dirs[:] = [d for d in dirs if not d.startswith(".") and not _ignored(item, Path(root, d), ignored)]
            found.update(
                Path(root, f) for f in files
                if not f.startswith(".") and Path(f).suffix.lower() in SUFFIXES
                and not _ignored(item, Path(root, f), ignored)
            )
    return sorted(found, key=Path.as_posix)


def _ignore_patterns(folder: Path) -> list[str]:
    ignore_file = folder / ".kgignore"
    if not ignore_file.is_file():
        return []
    lines = ignore_file.read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _ignored(folder: Path, path: Path, patterns: list[str]) -> bool:
    relative = path.relative_to(folder).as_posix()
    return any(fnmatch.fnmatch(relative, pattern) for pattern in patterns)


def read_document(
    path: Path | str, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Decode one file into a ``Document`` with metadata and sentences, or raise ``IngestError``."""
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IngestError(path, f"unsupported file type {path.suffix!r} (expected {', '.join(SUFFIXES)})")
    text, encoding = _decode(path, _read_bytes(path, max_bytes))
    if not text.strip():
        raise IngestError(path, "file contains only whitespace")
    title = None
    if kind == "html":
        text, title = _html_to_text(path, text)
    date = parse_date(text, None)
    return Document(
        id=path.stem,
        text=text,
        path=str(path),
        title=title or _guess_title(text),
        date=date,
        year=_pick_year(year, date, path),
        encoding=encoding,
        sentences=split_sentences(text),
    )


def load_documents(
    inputs: Iterable[Path | str], *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Document], list[Skipped]]:
    """Read every discovered file; unusable ones are returned as ``Skipped`` instead of raising."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    id_owner: dict[str, str] = {}
    for path in discover(inputs):
        try:
            doc = read_document(path, year=year, max_bytes=max_bytes)
        except IngestError as err:
            skipped.append(Skipped(str(path), err.reason))
            continue
        # Later stages key mentions and evidence by doc id; two files sharing a stem would merge silently.
        if doc.id in id_owner:
            reason = f"duplicate document id {doc.id!r} (same file name as {id_owner[doc.id]}); rename one"
            skipped.append(Skipped(str(path), reason))
            continue
        id_owner[doc.id] = str(path)
        docs.append(doc)
    return docs, skipped


def parse_date(s: str, year: int | None) -> str | None:
    """The first valid date in ``s`` as ISO yyyy-mm-dd.

    Accepts 2020年1月30日, 2020-01-30, 2020.1.30, 2020/1/30 (full-width digits and separators too) and,
    when ``year`` is given, 1月30日.
    """
    for m in _DATE.finditer(s.translate(_FULLWIDTH_DIGITS)):
        y, mo, d = (m["y1"], m["m1"], m["d1"]) if m["y1"] else (m["y2"], m["m2"], m["d2"])
        if not y:
            if year is None:
                continue
            y, mo, d = str(year), m["m3"], m["d3"]
        try:
            return dt.date(int(y), int(mo), int(d)).isoformat()
        except ValueError:  # 2月30日 and the like: not a date, keep looking
            continue
    return None


def iter_paragraphs(doc: Document, *, max_chars: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each non-empty line of ``doc.text``, edge whitespace trimmed.

    Lines longer than ``max_chars`` are cut into pieces of at most ``max_chars``, so each range can be
    handed to spaCy on its own.
    """
    return _paragraph_spans(doc.text, max_chars)


def split_sentences(text: str, *, max_chars: int = MAX_CHUNK_CHARS) -> list[Sentence]:
    """Sentences of ``text``: split at line breaks and at 。！？；… (and !?;), closing quotes kept."""
    sentences: list[Sentence] = []

    def add(start: int, end: int) -> None:
        start, end = _trim(text, start, end)
        if start < end:
            sentences.append(Sentence(len(sentences), start, end, text[start:end]))

    for p_start, p_end in _paragraph_spans(text, max_chars):
        pos = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            add(pos, m.end())
            pos = m.end()
        add(pos, p_end)
    return sentences


# --- reading and decoding ---------------------------------------------------------------------------


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise IngestError(path, "not a regular file")
        # Decide on size before reading anything, so a huge file costs one stat() call.
        if st.st_size > max_bytes:
            raise IngestError(path, _too_large(st.st_size, max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # +1: notice a file that grew after stat()
    except FileNotFoundError:
        raise IngestError(path, "no such file") from None
    except OSError as err:
        raise IngestError(path, f"cannot read file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise IngestError(path, _too_large(len(data), max_bytes))
    if not data:
        raise IngestError(path, "empty file")
    return data


def _too_large(size: int, limit: int) -> str:
    mib = 1024 * 1024
    return (
        f"file is {size:,} bytes ({size / mib:.1f} MiB), over the {limit:,}-byte ({limit / mib:.1f} MiB) "
        "limit; pass a larger max_bytes (CLI: --max-bytes) to ingest it"
    )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Text and encoding name, trying BOM -> strict UTF-8 -> strict GB18030 (a superset of GBK)."""
    # UTF-32-LE's BOM starts with UTF-16-LE's, so it must be ruled out first.
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise IngestError(path, "UTF-32 is not supported; re-save the file as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(path, f"invalid UTF-16 despite its byte-order mark ({err.reason})") from None
        _check_not_binary(path, text.encode("utf-8"))
        return text, "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        _check_not_binary(path, data)
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise IngestError(path, f"invalid UTF-8 despite its byte-order mark (byte {err.start})") from None
    _check_not_binary(path, data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _common_share(text) >= _MIN_COMMON_SHARE:
        return text, "gb18030"
    raise IngestError(
        path,
        f"unsupported or unknown encoding: not UTF-8 (invalid byte at offset {utf8_error.start}), "
        "not UTF-16 with a BOM, and not readable Chinese in GB18030/GBK; re-save the file as UTF-8",
    )


def _check_not_binary(path: Path, data: bytes) -> None:
    if b"\0" in data:
        raise IngestError(path, "binary file (contains NUL bytes; UTF-16 text needs a byte-order mark)")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise IngestError(path, f"binary file ({controls / len(data):.0%} control characters)")


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters that are in GB2312 (the common simplified-Chinese set)."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return 1.0
    uncommon = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return 1 - uncommon / non_ascii


# --- HTML -------------------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_HTML_HIDDEN = frozenset({"script", "style", "noscript", "template", "title"})
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.capture: str | None = None  # "title" or "h1" while inside the first of them
        self.found: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_HIDDEN:
            self.hidden += 1
        if tag in _HTML_BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre += 1
        if tag in ("title", "h1") and tag not in self.found:
            self.capture = tag
            self.found[tag] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in _HTML_BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == self.capture:
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.found[self.capture].append(data)
        if not self.hidden:
            # Source line breaks are not visible in HTML, except inside <pre>.
            self.parts.append(data if self.pre else _HTML_SPACE.sub(" ", data))

    def heading(self, tag: str) -> str:
        return _HTML_SPACE.sub(" ", "".join(self.found.get(tag, []))).strip()


def _html_to_text(path: Path, source: str) -> tuple[str, str | None]:
    """Visible text (one block per line) and the title from <title> or else <h1>."""
    parser = _TextExtractor()
    try:
        parser.feed(source)
        parser.close()
    except AssertionError as err:  # _markupbase still asserts on some malformed declarations
        raise IngestError(path, f"cannot parse HTML: {err}") from None
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text:
        raise IngestError(path, "HTML has no visible text")
    return text, parser.heading("title") or parser.heading("h1") or None


# --- sentences and paragraphs -----------------------------------------------------------------------


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_spans(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        yield from _capped(text, pos, m.start(), max_chars)
        pos = m.end()
    yield from _capped(text, pos, len(text), max_chars)


def _capped(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    start, end = _trim(text, start, end)
    while end - start > max_chars:
        limit = start + max_chars
        # Prefer the last punctuation/space in the second half of the window; else cut hard at the cap.
        soft = (k for k in range(limit, start + max_chars // 2, -1) if text[k - 1] in _SOFT_BREAKS)
        cut = next(soft, limit)
        piece = _trim(text, start, cut)
        if piece[0] < piece[1]:
            yield piece
        start, end = _trim(text, cut, end)
    if start < end:
        yield start, end


# --- metadata ---------------------------------------------------------------------------------------


def _guess_title(text: str) -> str | None:
    """The top-level markdown heading, else the first short line that is not a photo credit or byline."""
    lines = [line.strip() for line in text.splitlines()]
    headings = [(len(m[1]), m[2]) for line in lines if (m := _HEADING.match(line))]
    if headings:
        return min(headings, key=lambda h: h[0])[1]  # min() keeps the first of the top level
    for line in lines:
        if (
            0 < len(line) < TITLE_MAX_CHARS
            and any(ch.isalnum() for ch in line)
            and not _PHOTO_CREDIT.search(line)
            and not _BYLINE.match(line)
        ):
            return line
    return None


def _pick_year(explicit: int | None, date: str | None, path: Path) -> int | None:
    if explicit is not None:
        return explicit
    if date:
        return int(date[:4])
    m = _FILENAME_YEAR.search(path.stem)
    return int(m[1]) if m else None
