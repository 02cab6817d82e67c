"""Scope catalogue: the default file, levels, marks, and validation errors with key and line."""

from __future__ import annotations

import re

import pytest

from classifier.catalogue import Level, format_mark, load_catalogue
from classifier.errors import CatalogueError

EXPECTED = {  # ../shared/docs/catalogue-default.md
    "4.1": ("机密", None), "4.2": ("秘密", None), "4.3": ("机密", None), "4.4": ("秘密", 10),
    "4.5": ("秘密", 10), "4.6": ("机密", None), "4.7": ("秘密", 10), "4.8": ("秘密", 10),
    "4.9": ("机密", 20), "4.10": ("机密", 20), "4.11": ("秘密", 10),
}


def test_default_catalogue_has_twelve_clauses_with_default_levels(catalogue):
    assert catalogue.ids == tuple(f"4.{i}" for i in range(1, 13))
    assert catalogue.version
    for cid, (level, years) in EXPECTED.items():
        c = catalogue.get(cid)
        assert c.level is Level.from_label(level)
        assert c.period_years == years
        if years is None:
            assert c.condition, cid
        assert c.cues and c.text
    assert catalogue.get("4.12").level is None
    assert catalogue.catch_all.id == "4.12"


@pytest.mark.parametrize("cid,mark", [("4.9", "机密★20年"), ("4.4", "秘密★10年"), ("4.6", "机密★考试结束后")])
def test_clause_mark(catalogue, cid, mark):
    assert catalogue.get(cid).mark == mark


def test_level_order_and_labels():
    assert Level.GONGKAI < Level.NEIBU < Level.MIMI < Level.JIMI < Level.JUEMI
    assert [lv.label for lv in Level] == ["公开", "内部", "秘密", "机密", "绝密"]
    assert Level.JIMI.max_period_years == 20 and Level.NEIBU.max_period_years is None
    with pytest.raises(ValueError):
        Level.from_label("机要")


@pytest.mark.parametrize("args,out", [
    (("机密", 20, None), "机密★20年"), (("秘密", None, "正式印发后"), "秘密★正式印发后"),
    (("绝密", None, None), "绝密"), (("内部", 5, None), ""), (("公开", None, None), ""),
])
def test_format_mark(args, out):
    assert format_mark(*args) == out


def _write(tmp_path, body: str):
    p = tmp_path / "cat.toml"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = '''version = "x1"
[[clause]]
id = "4.1"
title = "t"
text = "t"
level = "机密"
period_years = 20
cues = ["换届"]
'''


@pytest.mark.parametrize("bad,key,line", [
    (GOOD.replace('level = "机密"', 'level = "机要"'), "clause[1].level", 6),
    (GOOD.replace('period_years = 20', 'period_years = 40'), "clause[1].period_years", 7),
    (GOOD.replace('period_years = 20', 'period_years = "20"'), "clause[1].period_years", 7),
    (GOOD.replace('version = "x1"', 'name = "n"'), "version", 1),
    (GOOD.replace('id = "4.1"', 'id = "four"'), "clause[1].id", 3),
    (GOOD.replace('cues = ["换届"]', 'cues = "换届"'), "clause[1].cues", 8),
    (GOOD + 'colour = "red"\n', "clause[1].colour", 9),
    (GOOD + GOOD.split("\n", 1)[1], "clause[2].id", 10),
])
def test_invalid_catalogue_names_key_and_line(tmp_path, bad, key, line):
    with pytest.raises(CatalogueError, match=r"\[invalid_catalogue\]") as ei:
        load_catalogue(_write(tmp_path, bad))
    msg = str(ei.value)
    assert key in msg
    assert re.search(rf"第{line}行", msg), msg


def test_invalid_toml_syntax_reports_line(tmp_path):
    with pytest.raises(CatalogueError, match=r"line 2"):
        load_catalogue(_write(tmp_path, 'version = "1"\nid = = 3\n'))


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(CatalogueError, match="找不到"):
        load_catalogue(tmp_path / "nope.toml")


def test_good_minimal_catalogue_loads(tmp_path):
    cat = load_catalogue(_write(tmp_path, GOOD))
    assert cat.ids == ("4.1",) and cat.version == "x1"
