"""classifier.documents.rules: the law's periods, 定密权限, routing, register numbers, end dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.catalogue import Level
from classifier.documents.rules import (
    ABOVE_CLAUSE_LEVEL,
    BELOW_CLAUSE_LEVEL_WITHOUT_REASON,
    CATCH_ALL_CLAUSE,
    DEFAULT_REGISTER_PATTERN,
    DRAFTER_DISAGREES,
    LEADING_GROUP_REASON_LABELS,
    LEADING_GROUP_REASONS,
    MAX_PERIOD_YEARS,
    Period,
    authority_allows,
    check_period,
    check_register_pattern,
    format_register_number,
    needs_leading_group,
    parse_register_number,
    period_end,
)
from classifier.errors import (
    ERROR_CODES,
    InvalidDecisionError,
    InvalidPeriodError,
    InvalidRegisterPatternError,
    PeriodRequiredError,
    PeriodTooLongError,
    error_from_dict,
)


def test_max_periods_are_the_laws():
    assert dict(MAX_PERIOD_YEARS) == {Level.JUEMI: 30, Level.JIMI: 20, Level.MIMI: 10}


@pytest.mark.parametrize(("level", "years", "condition", "expected"), [
    (Level.JUEMI, 30, None, Period(30)),
    (Level.JIMI, 20, None, Period(20)),
    (Level.MIMI, 1, None, Period(1)),
    (Level.MIMI, None, " 考试结束后 ", Period(None, "考试结束后")),
    (Level.JIMI, 0, "任免正式公布后", Period(None, "任免正式公布后")),
    (Level.NEIBU, None, None, Period()),
    (Level.GONGKAI, 0, "", Period()),
])
def test_check_period_accepts_what_the_law_allows(level, years, condition, expected):
    assert check_period(level, years, condition) == expected


@pytest.mark.parametrize(("level", "years", "condition", "error", "code"), [
    (Level.JUEMI, 31, None, PeriodTooLongError, "period_too_long"),
    (Level.JIMI, 21, None, PeriodTooLongError, "period_too_long"),
    (Level.MIMI, 11, None, PeriodTooLongError, "period_too_long"),
    (Level.MIMI, None, None, PeriodRequiredError, "period_required"),
    (Level.JIMI, 0, "  ", PeriodRequiredError, "period_required"),
    (Level.MIMI, -1, None, InvalidPeriodError, "invalid_period"),
    (Level.MIMI, 5, "考试结束后", InvalidPeriodError, "invalid_period"),
    (Level.NEIBU, 5, None, InvalidPeriodError, "invalid_period"),
    (Level.GONGKAI, None, "公布后", InvalidPeriodError, "invalid_period"),
    (Level.MIMI, None, "考试★结束后", InvalidPeriodError, "invalid_period"),
    (Level.MIMI, None, "考试\n结束后", InvalidPeriodError, "invalid_period"),
    (Level.MIMI, None, "长" * 25, InvalidPeriodError, "invalid_period"),
    (Level.MIMI, 2.5, None, InvalidPeriodError, "invalid_period"),
    (Level.MIMI, True, None, InvalidPeriodError, "invalid_period"),
])
def test_check_period_refuses_what_the_law_forbids(level, years, condition, error, code):
    with pytest.raises(error, match=rf"\[{code}\]") as e:
        check_period(level, years, condition)
    assert isinstance(e.value, InvalidDecisionError)   # the workflow's existing handler
    assert e.value.code in ERROR_CODES
    assert type(error_from_dict(e.value.to_dict())) is error


@given(st.sampled_from([Level.MIMI, Level.JIMI, Level.JUEMI]), st.integers(-5, 40))
def test_check_period_years_property(level, years):
    if 1 <= years <= MAX_PERIOD_YEARS[level]:
        assert check_period(level, years, None).years == years
    else:
        with pytest.raises(InvalidDecisionError):
            check_period(level, years, None)


@pytest.mark.parametrize(("level", "authority", "allowed"), [
    (Level.GONGKAI, Level.MIMI, True),
    (Level.NEIBU, Level.MIMI, True),
    (Level.MIMI, Level.JIMI, True),
    (Level.JIMI, Level.JIMI, True),
    (Level.JUEMI, Level.JIMI, False),
    (Level.JIMI, Level.MIMI, False),
    (Level.JUEMI, Level.JUEMI, True),
])
def test_authority_allows(level, authority, allowed):
    assert authority_allows(level, authority) is allowed


@pytest.mark.parametrize("authority", [Level.GONGKAI, Level.NEIBU])
def test_authority_must_be_a_secret_level(authority):
    with pytest.raises(InvalidDecisionError, match=r"\[invalid_decision\]"):
        authority_allows(Level.MIMI, authority)


@pytest.mark.parametrize(("level", "clause", "reason", "drafter", "expected"), [
    # clause 4.9 is 机密 and 4.8 is 秘密 in the default catalogue; 4.12 has no level
    (Level.JIMI, "4.9", None, Level.JIMI, ()),
    (Level.JIMI, "4.9", None, None, ()),
    (Level.JUEMI, "4.8", None, Level.JUEMI, (ABOVE_CLAUSE_LEVEL,)),
    (Level.MIMI, "4.9", None, Level.MIMI, (BELOW_CLAUSE_LEVEL_WITHOUT_REASON,)),
    (Level.MIMI, "4.9", "  ", Level.MIMI, (BELOW_CLAUSE_LEVEL_WITHOUT_REASON,)),
    (Level.MIMI, "4.9", "scope_narrower", Level.MIMI, ()),
    (Level.MIMI, "4.12", None, Level.MIMI, (CATCH_ALL_CLAUSE,)),
    (Level.JIMI, "4.9", None, Level.MIMI, (DRAFTER_DISAGREES,)),
    (Level.NEIBU, None, None, Level.MIMI, (DRAFTER_DISAGREES,)),
    (Level.JUEMI, "4.12", None, Level.MIMI, (CATCH_ALL_CLAUSE, DRAFTER_DISAGREES)),
    (Level.GONGKAI, None, None, Level.GONGKAI, ()),
])
def test_needs_leading_group(catalogue, level, clause, reason, drafter, expected):
    assert catalogue.get("4.9").level == Level.JIMI and catalogue.get("4.8").level == Level.MIMI
    assert needs_leading_group(level, clause, catalogue, reason, drafter) == expected


def test_needs_leading_group_takes_a_clause_object(catalogue):
    assert needs_leading_group(Level.JUEMI, catalogue.get("4.8"), catalogue, None, None) == (
        ABOVE_CLAUSE_LEVEL,)


@pytest.mark.parametrize(("level", "clause"), [(Level.MIMI, None), (Level.MIMI, "9.9")])
def test_needs_leading_group_refuses_a_secret_without_a_known_clause(catalogue, level, clause):
    with pytest.raises(InvalidDecisionError, match=r"\[invalid_decision\]"):
        needs_leading_group(level, clause, catalogue, None, None)


def test_every_leading_group_reason_has_a_label():
    assert set(LEADING_GROUP_REASON_LABELS) == set(LEADING_GROUP_REASONS)


@pytest.mark.parametrize(("year", "seq", "pattern", "expected"), [
    (2026, 12, DEFAULT_REGISTER_PATTERN, "组密〔2026〕0012号"),
    (2026, 12345, DEFAULT_REGISTER_PATTERN, "组密〔2026〕12345号"),
    (2027, 1, "{year}-{seq:03d}", "2027-001"),
    (2027, 7, "密字第{year}{seq}号", "密字第20277号"),
])
def test_format_register_number(year, seq, pattern, expected):
    assert format_register_number(year, seq, pattern) == expected


@pytest.mark.parametrize(("year", "seq", "pattern"), [
    (2026, 12, DEFAULT_REGISTER_PATTERN),
    (2027, 1, "{year}-{seq:03d}"),
    (2031, 999, "组密〔{year}〕{seq:04d}号"),
])
def test_parse_register_number_round_trips(year, seq, pattern):
    assert parse_register_number(format_register_number(year, seq, pattern), pattern) == (year,
                                                                                         seq)


@pytest.mark.parametrize("pattern", [
    "组密〔{year}〕号",            # no sequence number
    "组密{seq:04d}号",             # no year: numbers would repeat every year
    "{year}{seq}{seq}",           # two sequence numbers
    "{year}{seq}{unit}",          # unknown field
    "{year}{seq!r}",              # a conversion
    "{year}{seq",                 # broken braces
    "{year}{seq:q}",              # a bad format spec
    "{year}{}",                   # a positional field
])
def test_register_pattern_refused(pattern):
    with pytest.raises(InvalidRegisterPatternError, match=r"\[invalid_register_pattern\]"):
        check_register_pattern(pattern)


@pytest.mark.parametrize(("year", "seq"), [(2026, 0), (2026, -3), (99, 1), (2026, True)])
def test_register_number_refuses_bad_numbers(year, seq):
    with pytest.raises(InvalidRegisterPatternError):
        format_register_number(year, seq)


def test_parse_register_number_refuses_a_foreign_number():
    with pytest.raises(InvalidRegisterPatternError):
        parse_register_number("中组发〔2026〕14号")


@pytest.mark.parametrize(("issued", "years", "end"), [
    (date(2026, 3, 1), 10, date(2036, 3, 1)),
    (date(2026, 12, 31), 1, date(2027, 12, 31)),
    (date(2028, 2, 29), 1, date(2029, 2, 28)),
    (date(2028, 2, 29), 4, date(2032, 2, 29)),
])
def test_period_end(issued, years, end):
    assert period_end(issued, years) == end


@pytest.mark.parametrize("years", [0, -1, True])
def test_period_end_refuses_a_non_period(years):
    with pytest.raises(InvalidPeriodError, match=r"\[invalid_period\]"):
        period_end(date(2026, 1, 1), years)
