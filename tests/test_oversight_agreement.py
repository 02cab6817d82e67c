"""classifier.oversight.agreement: Cohen's κ, confusion matrices, groups, overrides (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from classifier.catalogue import Level
from classifier.oversight import (
    DecisionPair,
    Judgement,
    agreement,
    agreement_report,
    cohen_kappa,
    confusion_matrix,
    disagreements,
    override_report,
)

G, N, M, J, JM = Level.GONGKAI, Level.NEIBU, Level.MIMI, Level.JIMI, Level.JUEMI


def _pairs(rows: list[tuple[Level, Level]], **kw) -> list[DecisionPair]:
    return [DecisionPair(f"d{i}", kw.get("person", "p"), kw.get("month", "2026-01"),
                         Judgement(a), Judgement(b), kw.get("blind", False))
            for i, (a, b) in enumerate(rows)]


# 20 documents, model (a) against director (b):
#              b=公开  b=内部  b=秘密
#   a=公开        6      2      0      | 8
#   a=内部        1      4      1      | 6
#   a=秘密        0      1      5      | 6
#                 7      7      6       20
HAND = ([(G, G)] * 6 + [(G, N)] * 2 + [(N, G)] * 1 + [(N, N)] * 4 + [(N, M)] * 1
        + [(M, N)] * 1 + [(M, M)] * 5)


def test_kappa_hand_worked_example():
    """κ of the 3×3 table above, by hand.

    p_o = (6 + 4 + 5) / 20 = 15/20 = 0.75
    p_e = (8·7 + 6·7 + 6·6) / 20² = (56 + 42 + 36) / 400 = 134/400 = 0.335
    κ   = (p_o − p_e) / (1 − p_e) = (0.75 − 0.335) / 0.665 = 0.415 / 0.665 = 0.62406…
    """
    ag = agreement(_pairs(HAND))
    assert ag.labels == ("公开", "内部", "秘密")
    np.testing.assert_array_equal(ag.matrix, [[6, 2, 0], [1, 4, 1], [0, 1, 5]])
    assert ag.n == 20
    assert ag.observed == pytest.approx(0.75)
    assert ag.expected == pytest.approx(0.335)
    assert ag.kappa == pytest.approx(0.415 / 0.665)
    assert 0 < ag.kappa_se < 0.2


def test_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(0)
    labels = ["公开", "内部", "秘密", "机密", "绝密"]
    a = list(rng.choice(labels, 300))
    b = [x if rng.random() < 0.7 else str(rng.choice(labels)) for x in a]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


@pytest.mark.parametrize(("a", "b", "expected"), [
    ([], [], None),                       # no documents
    (["秘密"] * 4, ["秘密"] * 4, None),   # p_e = 1: undefined, though agreement is perfect
    (["公开", "秘密"], ["秘密", "公开"], -1.0),
])
def test_kappa_edge_cases(a, b, expected):
    k = cohen_kappa(a, b)
    assert k == expected if expected is None else k == pytest.approx(expected)


def test_confusion_matrix_rejects_unknown_label_and_length():
    with pytest.raises(ValueError, match="same"):
        confusion_matrix(["秘密"], [])
    with pytest.raises(ValueError, match="not in labels"):
        confusion_matrix(["秘密"], ["机密"], labels=["秘密"])


def test_clause_labels_and_order():
    pairs = [DecisionPair("a", "p", "2026-01", Judgement(M, "4.10"), Judgement(M, "4.2")),
             DecisionPair("b", "p", "2026-01", Judgement(G), Judgement(J, "4.3")),
             DecisionPair("c", "p", "2026-01", Judgement(N), Judgement(N))]
    ag = agreement(pairs, on="clause")
    assert ag.labels == ("公开", "内部", "4.2", "4.3", "4.10")
    assert ag.observed == pytest.approx(1 / 3)
    assert agreement(pairs, on="level").observed == pytest.approx(2 / 3)
    assert [p.doc_id for p in disagreements(pairs, on="clause")] == ["a", "b"]
    assert [p.doc_id for p in disagreements(pairs, on="level")] == ["b"]


def test_report_groups_share_labels_and_sum_to_overall():
    pairs = (_pairs(HAND[:10], person="张", month="2026-01", blind=True)
             + _pairs(HAND[10:], person="李", month="2026-02"))
    rep = agreement_report(pairs)
    assert list(rep.by_person) == sorted(["张", "李"])
    assert list(rep.by_month) == ["2026-01", "2026-02"]
    total = sum(a.matrix for a in rep.by_person.values())
    np.testing.assert_array_equal(total, rep.overall.matrix)
    np.testing.assert_array_equal(rep.blind.matrix + rep.shown.matrix, rep.overall.matrix)
    assert [la.label for la in rep.by_label] == list(rep.overall.labels)
    secret = rep.by_label[2]
    assert (secret.n_a, secret.n_b, secret.n_both) == (6, 6, 5)
    assert secret.specific == pytest.approx(10 / 12)


def test_automation_bias_is_shown_minus_blind():
    """Blind: 6 of 10 agree; shown: 9 of 10 agree → bias = +0.30."""
    blind = _pairs([(M, M)] * 6 + [(M, J)] * 4, blind=True)
    shown = _pairs([(M, M)] * 9 + [(M, J)] * 1)
    bias = agreement_report(blind + shown).automation_bias
    assert (bias.n_blind, bias.n_shown) == (10, 10)
    assert bias.observed_blind == pytest.approx(0.6)
    assert bias.observed_shown == pytest.approx(0.9)
    assert bias.difference == pytest.approx(0.3)
    lo, hi = bias.ci95
    se = math.sqrt(0.6 * 0.4 / 10 + 0.9 * 0.1 / 10)
    assert (lo, hi) == (pytest.approx(0.3 - 1.96 * se, abs=1e-3),
                        pytest.approx(0.3 + 1.96 * se, abs=1e-3))
    assert agreement_report(shown).automation_bias.difference is None


def test_override_directions_by_level_order():
    pairs = [DecisionPair("a", "张", "2026-01", Judgement(M, "4.5"), Judgement(J, "4.3")),  # up
             DecisionPair("b", "张", "2026-01", Judgement(J, "4.3"), Judgement(G)),         # down
             DecisionPair("c", "李", "2026-01", Judgement(M, "4.5"), Judgement(M, "4.6")),  # clause
             DecisionPair("d", "李", "2026-01", Judgement(M, "4.5"), Judgement(M, "4.5"),
                          blind=True),                                                       # same
             DecisionPair("e", "李", "2026-01", Judgement(N), Judgement(N))]                # same
    rep = override_report(pairs)
    o = rep.overall
    assert (o.n, o.same, o.up, o.down, o.clause_only) == (5, 2, 1, 1, 1)
    assert o.rate == pytest.approx(3 / 5)
    assert list(rep.by_label)[0] == "4.5"          # most overridden suggestion first
    assert rep.by_label["4.5"].overridden == 2
    assert rep.by_person["张"].overridden == 2
    assert (rep.blind.n, rep.shown.n) == (1, 4)


def test_judgement_label_rejects_unknown_kind():
    with pytest.raises(ValueError, match="level"):
        Judgement(M, "4.5").label("period")  # type: ignore[arg-type]
