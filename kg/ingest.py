"""Ingest: find input files, decode them, and turn them into ``Document`` objects with sentences.

Offsets in ``Document.sentences`` (and from ``iter_paragraphs``) are ``str`` indices into ``Document.text``;
for .txt files that text is the decoded file exactly (minus a BOM), so offsets point into the original; .html and
.md files are read as the text they show.
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

from markdown_it import MarkdownIt

from kg.types import Document, Sentence, Skipped

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# spaCy's default nlp.max_length is 1,000,000 chars; pkuseg and the parser get slow long before that.
MAX_CHUNK_CHARS = 5000
TITLE_MAX_CHARS = 60

SUFFIXES = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html"}
IGNORE_FILE = ".kgignore"
# Markdown is read as the text it shows: link targets, images and code blocks are no article text. Single
# line breaks stay line breaks (news lines are bylines and captions, not wrapped paragraphs).
_MARKDOWN = MarkdownIt("commonmark", {"breaks": True})

# Real text has almost no C0 controls besides whitespace; more than this share means binary data.
_MAX_CONTROL_SHARE = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c")
# A UTF-8 file with a few invalid bytes (a bad copy, a cut multi-byte character) is read with U+FFFD in their
# place; more than this share of invalid bytes (and more than a handful) means the file is in another encoding.
_MAX_DAMAGED_SHARE = 0.01
_DAMAGE_ALWAYS_ALLOWED = 4
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


class _Discovery:
    """Files found so far (each real file once) and everything passed over, with its cause."""

    def __init__(self, base: Path, exclude: Iterable[Path]) -> None:
        self.base = base
        self.exclude = {os.path.realpath(p) for p in exclude}
        self.files: dict[str, tuple[Path, str]] = {}  # real path -> (path as found, document id)
        self.folders: dict[str, Path] = {}
        self.skipped: list[Skipped] = []

    def skip(self, path: Path, reason: str, *, deliberate: bool = False) -> None:
        self.skipped.append(Skipped(shown(path), reason, deliberate))

    def add_file(self, path: Path) -> None:
        real = os.path.realpath(path)
        if real in self.files:
            self.skip(path, f"same file as {self.files[real][0]} (a symbolic link); read once", deliberate=True)
            return
        self.files[real] = (path, shown(Path(os.path.relpath(os.path.abspath(path), self.base)).as_posix()))

    def walk(self, folder: Path, root: Path, patterns: list[str]) -> None:
        real = os.path.realpath(folder)
        if real in self.folders:
            self.skip(folder, f"same folder as {self.folders[real]} (a symbolic link); read once", deliberate=True)
            return
        self.folders[real] = folder
        try:
            with os.scandir(folder) as listing:
                # Real entries before links, so a file is listed under its own name and the link as the copy.
                entries = sorted(listing, key=lambda e: (e.is_symlink(), e.name))
        except OSError as err:
            self.skip(folder, f"cannot read folder: {err.strerror or err}")
            return
        for entry in entries:
            path = Path(entry.path)
            pattern = next((p for p in patterns if fnmatch.fnmatch(path.relative_to(root).as_posix(), p)), None)
            if folder == root and entry.name == IGNORE_FILE:
                continue
            if os.path.realpath(path) in self.exclude:
                if not entry.name.startswith("."):  # the output is worth a line, kg's hidden lock beside it not
                    self.skip(path, "kg's own output, never read as input", deliberate=True)
            elif entry.name.startswith("."):
                self.skip(path, "hidden")
            elif pattern is not None:
                self.skip(path, f"ignored by {root / IGNORE_FILE} (pattern {pattern!r})")
            elif _is_dir(entry):
                self.walk(path, root, patterns)
            elif not _is_file(entry):
                self.skip(path, "broken symbolic link" if entry.is_symlink() else "not a regular file")
            elif path.suffix.lower() not in SUFFIXES:
                self.skip(path, f"unsupported file type {path.suffix!r} (expected {', '.join(SUFFIXES)})")
            else:
                self.add_file(path)


def discover(
    inputs: Iterable[Path | str], *, exclude: Iterable[Path] = ()
) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """Input files with their document ids, and every file or folder passed over with its cause.

    Folders are searched recursively and symbolic links followed, each real file and folder once. The
    document id is the path relative to the input folder (the common folder of all inputs when there are
    several), so 2020/report.txt and 2021/report.txt, or a.txt and a.html, are different documents. Files
    given explicitly are kept whatever their type, so that ``read_document`` can report why they are
    unusable. Hidden entries, paths in ``exclude`` (kg's output) and those matching a glob pattern
    in a ``.kgignore`` file of the folder given (one a line, relative to that folder, e.g. ``gold/``) are
    passed over and listed.
    """
    items = [Path(p) for p in inputs]
    bases = [os.path.abspath(p if p.is_dir() else p.parent) for p in items]
    found = _Discovery(Path(os.path.commonpath(bases)) if bases else Path.cwd(), exclude)
    for item in items:
        if item.is_dir():
            found.walk(item, item, _ignore_patterns(item, found))
        elif not item.exists():
            found.skip(item, "broken symbolic link" if item.is_symlink() else "no such file or folder")
        else:
            found.add_file(item)
    return sorted(found.files.values(), key=lambda f: f[1]), found.skipped


def shown(path: Path | str) -> str:
    """``path`` as text every output can hold: bytes of a file name that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symbolic link loop or a path too long to follow
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _ignore_patterns(folder: Path, found: _Discovery) -> list[str]:
    ignore_file = folder / IGNORE_FILE
    if not ignore_file.is_file() or not ignore_file.stat().st_size:
        return []
    try:
        text = _decode(ignore_file, _read_bytes(ignore_file, DEFAULT_MAX_BYTES))[0]
    except IngestError as err:
        found.skip(ignore_file, f"{err.reason}; no paths ignored")
        return []
    lines = text.splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def read_document(
    path: Path | str, *, doc_id: str | None = None, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Decode one file into a ``Document`` with metadata and sentences, or raise ``IngestError``.

    ``doc_id`` defaults to the file name.
    """
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IngestError(path, f"unsupported file type {path.suffix!r} (expected {', '.join(SUFFIXES)})")
    text, encoding, damage = _decode(path, _read_bytes(path, max_bytes))
    if not text.strip():
        raise IngestError(path, "file contains only whitespace")
    title = None
    if kind != "text":
        text, title = _html_to_text(path, _MARKDOWN.render(text) if kind == "markdown" else text, kind)
    date = parse_date(text, None)
    return Document(
        id=doc_id or shown(path.name),
        text=text,
        path=shown(path),
        title=title or _guess_title(text),
        date=date,
        year=_pick_year(year, date, path),
        encoding=encoding,
        sentences=split_sentences(text),
        damage=damage,
    )


def load_documents(
    inputs: Iterable[Path | str],
    *,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Iterable[Path] = (),
) -> tuple[list[Document], list[Skipped]]:
    """Read every discovered file; unusable ones are returned as ``Skipped`` instead of raising."""
    files, skipped = discover(inputs, exclude=exclude)
    docs: list[Document] = []
    for path, doc_id in files:
        try:
            docs.append(read_document(path, doc_id=doc_id, year=year, max_bytes=max_bytes))
        except IngestError as err:
            skipped.append(Skipped(shown(path), err.reason))
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


def _decode(path: Path, data: bytes) -> tuple[str, str, str | None]:
    """Text, encoding name and what was repaired (or None): BOM -> UTF-8 -> GB18030 (a superset of GBK) ->
    line by line, each line UTF-8 or GB18030, invalid bytes replaced with U+FFFD."""
    # UTF-32-LE's BOM starts with UTF-16-LE's, so it must be ruled out first.
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise IngestError(path, "UTF-32 is not supported; re-save the file as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(path, f"invalid UTF-16 despite its byte-order mark ({err.reason})") from None
        _check_not_binary(path, text.encode("utf-8"))
        return text, "utf-16", _nul_note(text)
    bom = data.startswith(codecs.BOM_UTF8)
    # NUL bytes at the very end are padding (a bad download, a fixed-size buffer), not text.
    body = (data[len(codecs.BOM_UTF8) :] if bom else data).rstrip(b"\0")
    padding = f"{len(data) - len(body) - (3 if bom else 0):,} trailing NUL bytes removed"
    padding = None if padding.startswith("0 ") else padding
    _check_not_binary(path, body)
    try:
        text = body.decode("utf-8")
        return text, "utf-8-sig" if bom else "utf-8", _join_notes(padding, _nul_note(text))
    except UnicodeDecodeError as err:
        first_error = err.start + (len(codecs.BOM_UTF8) if bom else 0)
    lines: list[str] = []
    gb_lines = utf8_lines = invalid = 0
    for line in body.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
            utf8_lines += not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        text = _readable_gb18030(line)
        if text is not None and not line.isascii():
            gb_lines += 1
            lines.append(text)
            continue
        text = line.decode("utf-8", "replace")
        invalid += text.count("\ufffd") - line.count("\ufffd".encode())
        lines.append(text)
    if invalid > max(_DAMAGE_ALWAYS_ALLOWED, _MAX_DAMAGED_SHARE * len(data)):
        hint = "; UTF-16 text needs a byte-order mark" if b"\0" in body else ""
        raise IngestError(
            path,
            f"unsupported or unknown encoding: not UTF-8 ({invalid:,} invalid bytes, the first at offset "
            f"{first_error}{hint}), not UTF-16 with a BOM, and not readable Chinese in GB18030/GBK; "
            "re-save the file as UTF-8",
        )
    text = "".join(lines)
    if gb_lines and not utf8_lines and not invalid and not bom:
        return text, "gb18030", _join_notes(padding, _nul_note(text))
    mixed = f"{gb_lines:,} lines read as GB18030 (mixed encoding)" if gb_lines else None
    replaced = f"{invalid:,} invalid bytes replaced with U+FFFD, the first at byte offset {first_error}"
    notes = _join_notes(mixed, replaced if invalid else None, padding, _nul_note(text))
    return text, "utf-8+gb18030" if gb_lines else "utf-8", notes


def _join_notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def _readable_gb18030(data: bytes) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _common_share(text) >= _MIN_COMMON_SHARE else None


def _nul_note(text: str) -> str | None:
    count = text.count("\0")
    return f"{count:,} NUL characters kept (not shown by most viewers)" if count else None


def _check_not_binary(path: Path, data: bytes) -> None:
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        hint = "; UTF-16 text needs a byte-order mark" if b"\0" in data else ""
        raise IngestError(path, f"binary file ({controls / len(data):.0%} control characters{hint})")


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
    def __init__(self, hidden: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.hidden_tags = hidden
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.capture: str | None = None  # "title" or "h1" while inside the first of them
        self.found: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.hidden_tags:
            self.hidden += 1
        if tag in _HTML_BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre += 1
        if tag in ("title", "h1") and tag not in self.found:
            self.capture = tag
            self.found[tag] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden_tags:
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


def _html_to_text(path: Path, source: str, kind: str) -> tuple[str, str | None]:
    """Visible text (one block per line) and the title from <title> or else <h1>; from Markdown (rendered),
    code blocks are left out too."""
    parser = _TextExtractor(_HTML_HIDDEN | {"pre"} if kind == "markdown" else _HTML_HIDDEN)
    try:
        parser.feed(source)
        parser.close()
    except AssertionError as err:  # _markupbase still asserts on some malformed declarations
        raise IngestError(path, f"cannot parse HTML: {err}") from None
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text:
        raise IngestError(path, f"{'Markdown' if kind == 'markdown' else 'HTML'} has no visible text")
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
