"""Tests for kg.ingest; every input file is generated in tmp_path."""

from __future__ import annotations

import codecs
import random
import time
from pathlib import Path

import pytest

from kg.ingest import (
    DEFAULT_MAX_BYTES,
    MAX_CHUNK_CHARS,
    IngestError,
    discover,
    iter_paragraphs,
    load_documents,
    parse_date,
    read_document,
    split_sentences,
)
from kg.types import Document, Skipped

SEEDS = sorted((Path(__file__).resolve().parents[1] / "data" / "seeds").glob("*.txt"))

# GBK-encodable, with half- and full-width punctuation, quotes and a line break.
SAMPLE = "高新区捐赠口罩1.5万只,支援武汉;“加油！”他说。\n2020年2月3日,物资送达……谢谢!\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def texts(sentences) -> list[str]:
    return [s.text for s in sentences]


def assert_offsets(doc: Document) -> None:
    assert [s.index for s in doc.sentences] == list(range(len(doc.sentences)))
    for s in doc.sentences:
        assert s.text == doc.text[s.start : s.end]
        assert s.text and s.text == s.text.strip()
        assert "\n" not in s.text and len(s.text) <= MAX_CHUNK_CHARS


# --- decoding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "data", "reported"),
    [
        ("utf-8", SAMPLE.encode("utf-8"), "utf-8"),
        ("utf-8-sig", codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        ("gbk", SAMPLE.encode("gbk"), "gb18030"),
        ("gb18030", SAMPLE.encode("gb18030"), "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
    ],
)
def test_accepted_encodings_decode_to_the_same_text(tmp_path, encoding, data, reported):
    doc = read_document(write(tmp_path / f"{encoding}.txt", data))
    assert doc.text == SAMPLE  # BOM gone, nothing else touched
    assert doc.encoding == reported
    assert texts(doc.sentences) == texts(split_sentences(SAMPLE))


def test_gb18030_four_byte_characters_decode(tmp_path):
    text = "𠀀字出现在新闻里。欧元符号€也可以。"  # 𠀀 is outside GBK: 4-byte sequence in GB18030
    doc = read_document(write(tmp_path / "a.txt", text.encode("gb18030")))
    assert doc.text == text and doc.encoding == "gb18030"


def test_crlf_and_width_are_kept_verbatim(tmp_path):
    text = "第一行，全角。\r\n第二行,半角;第三句!\r\n"
    doc = read_document(write(tmp_path / "crlf.txt", text))
    assert doc.text == text
    assert texts(doc.sentences) == ["第一行，全角。", "第二行,半角;", "第三句!"]
    assert_offsets(doc)


# --- rejected files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "cause"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", " \n\t\r\n\u3000 \n".encode(), "whitespace"),
        ("random.txt", random.Random(7).randbytes(4096) + b"\0\0", "binary"),
        ("controls.txt", b"abc\x01\x02\x03\x04\x05\x06\x07" * 50, "control characters"),
        ("utf16-nobom.txt", SAMPLE.encode("utf-16-le"), "byte-order mark"),
        ("latin1.txt", "Crème brûlée à la carte, où?".encode("latin-1"), "encoding"),
        # Valid GB18030 byte for byte, but decodes to rare-character mojibake ("Cr鑝e br鹟閑").
        ("mojibake.txt", "Crème brûlée. Ça va très bien".encode("latin-1"), "encoding"),
        ("utf32.txt", SAMPLE.encode("utf-32"), "UTF-32"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
        ("script.html", b"<html><script>alert(1)</script></html>", "no visible text"),
    ],
)
def test_bad_files_raise_ingest_error_naming_the_file(tmp_path, name, data, cause):
    path = write(tmp_path / name, data)
    with pytest.raises(IngestError) as info:
        read_document(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert str(path) in str(err) and err.path == str(path)
    assert cause in err.reason


def test_mojibake_case_is_valid_gb18030_but_rejected(tmp_path):
    data = "Crème brûlée. Ça va très bien".encode("latin-1")
    assert data.decode("gb18030")  # so only the common-character check can reject it
    with pytest.raises(IngestError, match="GB18030"):
        read_document(write(tmp_path / "m.txt", data))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(IngestError, match="not a regular file"):
        read_document(tmp_path / "dir.txt")


def test_size_limit_message_gives_size_limit_and_remedy(tmp_path):
    path = write(tmp_path / "big.txt", "中" * 400)  # 1200 bytes
    with pytest.raises(IngestError) as info:
        read_document(path, max_bytes=1000)
    reason = info.value.reason
    assert "1,200 bytes" in reason and "1,000-byte" in reason and "max_bytes" in reason
    assert read_document(path, max_bytes=1200).text == "中" * 400  # the limit is inclusive


def test_huge_file_is_rejected_by_stat_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(("新闻正文。\n" * 1000).encode() * 1400)  # ~22 MB
    assert path.stat().st_size > 4 * DEFAULT_MAX_BYTES

    def no_open(*args, **kwargs):
        raise AssertionError("an oversized file must not be opened")

    monkeypatch.setattr(Path, "open", no_open)
    started = time.perf_counter()
    docs, skipped = load_documents([path])
    assert time.perf_counter() - started < 0.5
    assert docs == [] and len(skipped) == 1
    assert "MiB" in skipped[0].reason and "5.0 MiB" in skipped[0].reason


# --- discovery and loading ---------------------------------------------------------------------------


def test_discover_recurses_filters_and_sorts(tmp_path):
    for rel in ["b/z.txt", "b/a.MD", "a.htm", "c/d/e.html", "skip.pdf", ".hidden/x.txt", "b/.x.txt"]:
        write(tmp_path / rel, "文字。")
    found, skipped = discover([tmp_path / "b", tmp_path, tmp_path / "a.htm"])
    assert [doc_id for _, doc_id in found] == ["a.htm", "b/a.MD", "b/z.txt", "c/d/e.html"]
    assert all(path.relative_to(tmp_path).as_posix() == doc_id for path, doc_id in found)
    # Everything passed over is listed; b/ and a.htm were reached twice and read once.
    reasons = {Path(s.path).relative_to(tmp_path).as_posix(): s for s in skipped}
    assert {k: v.reason for k, v in reasons.items() if not v.deliberate} == {
        "skip.pdf": "unsupported file type '.pdf' (expected .txt, .md, .html, .htm)",
        ".hidden": "hidden",
        "b/.x.txt": "hidden",
    }
    assert {k for k, v in reasons.items() if v.deliberate} == {"b", "a.htm"}
    # Explicit files are kept whatever they are, so read_document can say why they are unusable.
    explicit = [tmp_path / "skip.pdf", tmp_path / "nope.txt"]
    assert discover(explicit) == ([(explicit[0], "skip.pdf")], [Skipped(str(explicit[1]), "no such file or folder")])


def test_load_documents_continues_past_bad_files(tmp_path):
    write(tmp_path / "in/1_good.txt", "第一篇。")
    write(tmp_path / "in/2_empty.txt", b"")
    write(tmp_path / "in/3_binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0")
    write(tmp_path / "in/sub/4_good.md", "# 标题\n第二篇。")
    write(tmp_path / "in/sub/1_good.html", "<p>同名文件。</p>")
    docs, skipped = load_documents([tmp_path / "in", tmp_path / "gone.txt"], year=2021)
    assert [d.id for d in docs] == ["in/1_good.txt", "in/sub/1_good.html", "in/sub/4_good.md"]
    assert all(d.year == 2021 for d in docs)
    assert all(isinstance(s, Skipped) for s in skipped)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"2_empty.txt", "3_binary.txt", "gone.txt"}
    assert "empty" in reasons["2_empty.txt"] and "binary" in reasons["3_binary.txt"]
    assert "no such file" in reasons["gone.txt"]


# --- sentences and paragraphs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("捐赠1.5万元。感谢!真的吗?是的；好;", ["捐赠1.5万元。", "感谢!", "真的吗?", "是的；", "好;"]),
        ("他说：“好！”然后走了。", ["他说：“好！”", "然后走了。"]),
        ('他说:"好!"然后走了.', ['他说:"好!"', "然后走了."]),
        ("「真的？」（是的。）嗯", ["「真的？」", "（是的。）", "嗯"]),
        ("他说“好！”。又说……你呢？！我", ["他说“好！”。", "又说……", "你呢？！", "我"]),
        ("  第一行没有句号  \n\n\t第二行。 第三句。  \r\n", ["第一行没有句号", "第二行。", "第三句。"]),
        (" \n\u3000\n", []),
    ],
)
def test_split_sentences(text, expected):
    sentences = split_sentences(text)
    assert texts(sentences) == expected
    assert all(text[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_documents_keep_the_sentence_invariant(path):
    doc = read_document(path)
    assert doc.text == path.read_text(encoding="utf-8")
    assert len(doc.sentences) > 50
    assert_offsets(doc)
    # Every non-space character of the text lies in exactly one sentence.
    covered = "".join(s.text for s in doc.sentences)
    assert "".join(doc.text.split()) == "".join(covered.split())
    for start, end in iter_paragraphs(doc):
        assert doc.text[start:end].strip() == doc.text[start:end] != ""


def test_seed_corpus_has_both_punctuation_widths():
    docs, skipped = load_documents(SEEDS)
    assert skipped == [] and len(docs) == 5
    joined = "".join(d.text for d in docs)
    assert "，" in joined and "," in joined and ";" in joined and "；" in joined
    assert any(s.text.endswith(";") for d in docs for s in d.sentences)
    assert any(s.text.endswith("；") for d in docs for s in d.sentences)


def test_overlong_lines_are_capped():
    hard = "字" * 12_001  # no punctuation at all: hard cuts at the cap
    soft = ("这是一个很长的分句" * 50 + "，") * 30  # commas: cut after a comma
    doc = Document(id="long", text=f"短行。\n{hard}\n{soft}")
    spans = list(iter_paragraphs(doc))
    assert all(0 < end - start <= MAX_CHUNK_CHARS for start, end in spans)
    assert "".join(doc.text[s:e] for s, e in spans) == doc.text.replace("\n", "")
    assert [e - s for s, e in spans[1:4]] == [5000, 5000, 2001]
    assert all(doc.text[e - 1] == "，" for s, e in spans[4:])
    sentences = split_sentences(doc.text, max_chars=100)
    assert max(len(s.text) for s in sentences) == 100
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)


# --- HTML --------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><title> 高新区  捐赠&amp;支援 </title>
<style>p { color: red; }</style><script>alert(1)</script></head>
<body><h1>正文标题</h1>
<p>捐赠口罩&nbsp;1.5万只&lt;首批&gt;。感谢&#x4E2D;&#20013;!<br>第二行;第三句</p>
<!-- 注释不可见 -->
<div>源码里的
换行不算换行。</div><pre>预排
文本</pre>
</body></html>"""


def test_html_visible_text_title_and_entities(tmp_path):
    doc = read_document(write(tmp_path / "page.html", HTML))
    assert doc.text == (
        "正文标题\n捐赠口罩\xa01.5万只<首批>。感谢中中!\n第二行;第三句\n源码里的 换行不算换行。\n预排\n文本"
    )
    assert "alert" not in doc.text and "color" not in doc.text and "注释" not in doc.text
    assert doc.title == "高新区 捐赠&支援"
    assert texts(doc.sentences)[1:4] == ["捐赠口罩\xa01.5万只<首批>。", "感谢中中!", "第二行;"]
    assert_offsets(doc)


def test_html_title_falls_back_to_h1_and_gbk_html_decodes(tmp_path):
    page = "<html><body><h1>鹰城&quot;战疫&quot;</h1><p>内容。</p></body></html>"
    doc = read_document(write(tmp_path / "p.htm", page.encode("gbk")))
    assert doc.title == '鹰城"战疫"' and doc.encoding == "gb18030"


# --- metadata ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "year", "expected"),
    [
        ("2020年1月30日", None, "2020-01-30"),
        ("截至2020 年 2 月 3 日上午", None, "2020-02-03"),
        ("１月３０日", 2020, "2020-01-30"),
        ("1月30日", None, None),
        ("2020-01-30", None, "2020-01-30"),
        ("2020.1.30", None, "2020-01-30"),
        ("2020/1/3", 1999, "2020-01-03"),
        ("２０２０．１．３", None, "2020-01-03"),
        ("2月30日捐赠，3月1日到货", 2020, "2020-03-01"),
        ("1.5万只口罩", 2020, None),
        ("2020-1.30", None, None),
        ("12020-01-30", None, None),
    ],
)
def test_parse_date(s, year, expected):
    assert parse_date(s, year) == expected


@pytest.mark.parametrize(
    ("name", "text", "year_arg", "date", "year"),
    [
        ("a.txt", "2020年2月3日电 正文。", None, "2020-02-03", 2020),
        ("a.txt", "2020年2月3日电 正文。", 2021, "2020-02-03", 2021),  # --year wins
        ("news_2019_x.txt", "1月30日，正文。", None, None, 2019),
        ("20200203.txt", "正文。", None, None, 2020),
        ("news_2019.txt", "2020.2.3 正文。", None, "2020-02-03", 2020),
        ("8af32020c6c9.txt", "1月30日，正文。", None, None, None),  # digits inside a hash
        ("x.txt", "正文。", None, None, None),
    ],
)
def test_date_and_year_rules(tmp_path, name, text, year_arg, date, year):
    doc = read_document(write(tmp_path / name, text), year=year_arg)
    assert (doc.date, doc.year) == (date, year)
    assert doc.id == name and doc.path == str(tmp_path / name)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("导语一行。\n## 小节\n# 真正的标题\n正文", "真正的标题"),
        ("### 只有小节 ###\n正文", "只有小节"),
        ("\n\n晨曦中的高新区。田改娣摄\n本报讯（记者 张三）\n河北日报记者 孟宪峰\n► 陈淋\n标题\n", "标题"),
        ("很" * 80 + "长\n短标题\n", "短标题"),
        ("——\n", None),
    ],
)
def test_title_rules(tmp_path, text, title):
    assert read_document(write(tmp_path / "t.md", text)).title == title


def test_kgignore_skips_listed_paths(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "GUIDELINES.md").write_text("# 标注指南\n正文。", encoding="utf-8")
    (tmp_path / "a.txt").write_text("高新区复工复产。", encoding="utf-8")
    (tmp_path / "notes.md").write_text("笔记。", encoding="utf-8")
    (tmp_path / ".kgignore").write_text("# comment\ngold/\nnotes.md\n", encoding="utf-8")
    found, skipped = discover([tmp_path])
    assert found == [(tmp_path / "a.txt", "a.txt")]
    assert {Path(s.path).name: s.reason.split(" (")[1] for s in skipped} == {
        "gold": "pattern 'gold')",
        "notes.md": "pattern 'notes.md')",
    }
