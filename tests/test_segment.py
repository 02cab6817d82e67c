"""Tokenisation: the rjieba default cuts exactly like jieba; domain terms stay whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.nlp.normalize import fold
from classifier.nlp.segment import NUM_TOKEN, Tokenizer, build_words, read_stopwords

REPO = Path(__file__).resolve().parent.parent


def _corpus_texts() -> list[str]:
    """Every text of corpus/: training drafts, catalogue, word lists, examples."""
    texts: list[str] = []
    for f in sorted((REPO / "corpus" / "train").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    for f in ("catalogue.toml", "userdict.txt", "README.md"):
        texts.append((REPO / "corpus" / f).read_text(encoding="utf-8"))
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.txt"))]
    return texts


@pytest.fixture(scope="module")
def words(catalogue):
    return build_words(REPO / "corpus" / "userdict.txt", catalogue.terms())


@pytest.mark.slow
def test_rjieba_cuts_identically_to_jieba_over_corpus(words, tmp_path):
    pytest.importorskip("rjieba")
    fast = Tokenizer(words, backend="rjieba")
    ref = Tokenizer(words, backend="jieba", cache_dir=tmp_path)
    texts = _corpus_texts()
    assert len(texts) > 20
    diffs = [(i, fast.cut(t), ref.cut(t)) for i, t in enumerate(texts) if fast.cut(t) != ref.cut(t)]
    assert not diffs, f"{len(diffs)} texts differ, first: {diffs[0][0]}"
    assert fast.backend_ == "rjieba" and ref.backend_ == "jieba"


def test_auto_backend_prefers_rjieba(words):
    tk = Tokenizer(words)
    tk.cut("测试")
    assert tk.backend_ in {"rjieba", "jieba"}


@pytest.mark.parametrize("text,term", [
    ("关于召开市管领导班子民主生活会的通知", "民主生活会"),
    ("做好考察预告和任前公示工作", "考察预告"),
    ("做好考察预告和任前公示工作", "任前公示"),
    ("市管後備幹部名單按機密級管理", "后备干部"),
    ("整理干部档案和考察材料", "干部档案"),
    ("换届人事安排方案", "换届"),
])
def test_domain_terms_are_whole_tokens(tokenizer, text, term):
    toks = tokenizer.tokens(text)
    assert term in toks or any(term in t and len(t) <= len(term) + 2 for t in toks), toks


def test_traditional_is_converted_before_cutting(tokenizer):
    toks = tokenizer.tokens("組織部關於調整幹部的請示")
    assert "组织部" in toks and "关于" in toks
    assert not any(ch in "".join(toks) for ch in "織關調幹請")


def test_numbers_fold_to_one_token_and_punctuation_drops(tokenizer):
    toks = tokenizer.tokens("共有党员５２３１８名，占比12.5%。")
    assert NUM_TOKEN in toks
    assert "，" not in toks and "。" not in toks
    assert "52318" not in toks


def test_userdict_adds_words(catalogue, tmp_path):
    ud = tmp_path / "office.txt"
    ud.write_text("青禾计划 100 n\n", encoding="utf-8")
    base = Tokenizer(build_words(REPO / "corpus" / "userdict.txt", catalogue.terms()))
    extra = Tokenizer(build_words(REPO / "corpus" / "userdict.txt", catalogue.terms(), [ud]))
    text = "关于实施青禾计划的方案"
    assert "青禾计划" not in base.tokens(text)
    assert "青禾计划" in extra.tokens(text)


# --- Word lists read exactly as jieba 0.42's load_userdict reads them (issue 8, item 4) ---

#: An office word list with what jieba's loader accepts: spaces and symbols inside words, a
#: frequency and tag or either alone, a BOM, CRLF line ends, blank lines, a comment.
OFFICE_LIST = (
    "\ufeffWPS Office 1000 nz\r\n"
    "秘密★10年\n"
    "机密★考试结束后 50\n"
    "阿不都·热合曼 20 nr\n"
    "\n"
    "# 本单位专用词（注释行）\n"
    "C# 100 nz\n"
    "青禾计划 many n\n"
    "组工信息 nz\n"
    "  干部监督信息平台 300  \n"
)
OFFICE_TEXT = ("请使用WPS Office编辑文稿，标注秘密★10年或机密★考试结束后；阿不都·热合曼同志负责"
               "青禾计划 many的组工信息和干部监督信息平台，学习C#语言，wps officer另行通知。")
WHOLE = ["wps office", "秘密★10年", "机密★考试结束后", "阿不都·热合曼", "c#", "青禾计划 many",
         "组工信息", "干部监督信息平台"]


class _RecordingJieba:
    """Runs jieba's own ``load_userdict`` and records what it would add (no dictionary load)."""

    def __init__(self) -> None:
        import jieba

        self.calls: list[tuple[str, str | None, str | None]] = []
        self._tk = jieba.Tokenizer()
        self._tk.check_initialized = lambda: None
        self._tk.add_word = lambda w, f=None, t=None: self.calls.append((w, f, t))

    def load(self, path: Path) -> list[tuple[str, int | None, str | None]]:
        self._tk.load_userdict(str(path))
        return [(fold(w), int(f) if f is not None else None, t) for w, f, t in self.calls]


@pytest.fixture
def office_list(tmp_path) -> Path:
    p = tmp_path / "office.txt"
    p.write_bytes(OFFICE_LIST.encode("utf-8"))
    return p


def test_word_list_is_read_as_jiebas_loader_reads_it(office_list):
    from classifier.nlp.segment import _read_word_list

    ours = _read_word_list(office_list)
    theirs = [w for w in _RecordingJieba().load(office_list) if not w[0].startswith("#")]
    assert ours == theirs
    assert ("wps office", 1000, "nz") in ours and ("青禾计划 many", None, "n") in ours
    assert ("组工信息", None, "nz") in ours and ("机密★考试结束后", 50, None) in ours


@pytest.mark.parametrize("line,expected", [
    ("WPS Office 1000 nz", ("wps office", 1000, "nz")),
    ("秘密★10年", ("秘密★10年", None, None)),
    ("阿不都·热合曼", ("阿不都·热合曼", None, None)),
    ("青禾计划 100", ("青禾计划", 100, None)),
    ("青禾计划 n", ("青禾计划", None, "n")),
    ("青禾计划 100 NZ", ("青禾计划 100 nz", None, None)),   # jieba: tags are lower case only
    ("青禾计划\t100", ("青禾计划\t100", None, None)),       # jieba: one space, not a tab
    ("2023年度", ("2023年度", None, None)),
])
def test_word_list_line(tmp_path, line, expected):
    from classifier.nlp.segment import _read_word_list

    p = tmp_path / "one.txt"
    p.write_text(line + "\n", encoding="utf-8")
    assert _read_word_list(p) == [expected]
    assert _RecordingJieba().load(p) == [expected]


@pytest.mark.parametrize("content,line_no,what", [
    (b"\xe9\x9d\x92\xe7\xa6\xbe 100 n\n\xc7\xe0\xba\xcc 5\n", 2, "UTF-8"),   # GBK bytes
    (b"WPS Office 1000 nz\n\n# note\n\xff\n", 4, "UTF-8"),
    ("青禾计划 1\n青禾计划二 99999999999999999999 n\n".encode(), 2, "词频"),
])
def test_word_list_line_jieba_would_refuse_names_its_line(tmp_path, content, line_no, what):
    from classifier.errors import ERROR_CODES, UsageError, WordListError

    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(WordListError, match=rf"\[invalid_word_list\].*第{line_no}行.*{what}") as e:
        build_words(None, (), [p])
    assert isinstance(e.value, UsageError) and "invalid_word_list" in ERROR_CODES


def test_word_list_not_utf8_is_refused_by_jieba_too(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("青禾计划 100 n\n".encode("gbk"))
    with pytest.raises(ValueError, match="utf-8"):
        _RecordingJieba().load(p)


def test_missing_word_list_is_a_typed_error(tmp_path):
    from classifier.errors import WordListError

    with pytest.raises(WordListError, match=r"\[invalid_word_list\] 无法读取词表"):
        build_words(None, (), [tmp_path / "none.txt"])


@pytest.mark.slow
def test_word_list_with_spaces_and_symbols_cuts_identically_in_both_backends(
        catalogue, office_list, tmp_path):
    pytest.importorskip("rjieba")
    words = build_words(REPO / "corpus" / "userdict.txt", catalogue.terms(), [office_list])
    fast = Tokenizer(words, backend="rjieba")
    ref = Tokenizer(words, backend="jieba", cache_dir=tmp_path)
    texts = [OFFICE_TEXT, OFFICE_TEXT.replace("WPS Office", "WPS\u3000 Office"), *_corpus_texts()[:200]]
    for t in texts:
        assert fast.cut(t) == ref.cut(t)
    assert fast.backend_ == "rjieba" and ref.backend_ == "jieba"
    for tk in (fast, ref):
        toks = tk.cut(OFFICE_TEXT)
        for w in WHOLE:
            assert w in toks, (tk.backend_, w, toks)
        assert "wps" in toks and "officer" in toks          # not inside a longer Latin word
        assert "wps office" in tk.cut(OFFICE_TEXT.replace("WPS Office", "WPS\u3000 Office"))
        assert "秘密★10年" in tk.tokens(OFFICE_TEXT) and "wps office" in tk.tokens(OFFICE_TEXT)


def test_without_such_words_the_cut_is_the_backends(words, office_list):
    plain = Tokenizer(words)
    assert "wps office" not in plain.cut(OFFICE_TEXT) and "秘密★10年" not in plain.cut(OFFICE_TEXT)


def test_zero_frequency_word_is_never_one_token(tmp_path):
    p = tmp_path / "zero.txt"
    p.write_text("秘密★10年 0\n", encoding="utf-8")
    assert "秘密★10年" not in Tokenizer(build_words(None, (), [p])).cut("标注秘密★10年")


def test_userdict_with_spaces_via_cli_extract(tmp_path, office_list, monkeypatch):
    from click.testing import CliRunner

    from classifier.cli import main

    doc = tmp_path / "a.txt"
    doc.write_text(OFFICE_TEXT, encoding="utf-8")
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(main, ["extract", "--json", "--tokens", "--userdict", str(office_list),
                                  str(doc)])
    assert r.exit_code == 0, r.output
    toks = json.loads(r.output.splitlines()[0])["tokens"]
    assert "wps office" in toks and "阿不都·热合曼" in toks


def test_cli_refuses_a_bad_word_list_with_its_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from classifier.cli import main

    bad = tmp_path / "bad.txt"
    bad.write_bytes("青禾计划 100\n".encode() + "组工信息".encode("gbk") + b"\n")
    doc = tmp_path / "a.txt"
    doc.write_text(OFFICE_TEXT, encoding="utf-8")
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(main, ["extract", "--tokens", "--userdict", str(bad), str(doc)])
    assert r.exit_code == 2
    assert "[invalid_word_list]" in r.output and "第2行" in r.output


def test_stopwords_file_reads():
    sw = read_stopwords(REPO / "corpus" / "stopwords.txt")
    assert "的" in sw and "拟" not in sw


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_cut_loses_no_character(tokenizer, s):
    joined = "".join(tokenizer.cut(s))
    assert joined == "".join(ch for ch in fold(s) if not ch.isspace()) or \
        "".join(joined.split()) == "".join(fold(s).split())


# --- One cut for all the passages of a document (tokens_many) ---

def _corpus_passages() -> list[list[str]]:
    """The folded passages of every training text, one list per text (as analyse() cuts)."""
    from classifier.engine.marking import find_marking, mask_marking
    from classifier.engine.passages import split_passages

    out = []
    for f in sorted((REPO / "corpus" / "train").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                masked = mask_marking(text, find_marking(text))
                out.append([fold(p.text) for p in split_passages(masked)])
    return out


def test_tokens_many_equals_tokens_per_passage_over_corpus(tokenizer):
    docs = _corpus_passages()
    assert len(docs) > 2000
    diffs = [i for i, fs in enumerate(docs)
             if tokenizer.tokens_many(fs, folded=True) != [tokenizer.tokens(f, folded=True) for f in fs]]
    assert not diffs, f"{len(diffs)} documents differ, first: {diffs[0]}"


@pytest.mark.slow
def test_tokens_many_equals_tokens_in_both_backends_with_whole_words(catalogue, office_list, tmp_path):
    pytest.importorskip("rjieba")
    words = build_words(REPO / "corpus" / "userdict.txt", catalogue.terms(), [office_list])
    docs = [[OFFICE_TEXT, "", OFFICE_TEXT.replace("WPS Office", "WPS\u3000 Office"), "12.5%,C#"],
            *_corpus_passages()[::25]]
    for tk in (Tokenizer(words, backend="rjieba"), Tokenizer(words, backend="jieba", cache_dir=tmp_path)):
        for texts in docs:
            assert tk.tokens_many(texts) == [tk.tokens(t) for t in texts], tk.backend_


#: Ideographs, Latin letters, digits, ASCII and full-width punctuation, whitespace, symbols and
#: the characters tokens_many joins with (a text holding them is cut on its own).
_ALPHABET = st.sampled_from(list("组织部干部考察名单市委常委会研究拟任人选公示的了和")
                            + list("abcWPSOffice0123456789") + list(",.;:-_/%#&+()[]<>!?'\"")
                            + list("，。；：（）、“”★·") + [" ", "\t", "\n", "\u3000", "\x00", "\x01"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=40), max_size=8))
def test_tokens_many_equals_tokens_per_text(tokenizer, texts):
    assert tokenizer.tokens_many(texts) == [tokenizer.tokens(t) for t in texts]
    folded = [fold(t) for t in texts]
    assert tokenizer.tokens_many(folded, folded=True) == [tokenizer.tokens(t, folded=True) for t in folded]
