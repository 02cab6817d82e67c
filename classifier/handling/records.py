"""The registered secret record that derived classification and release on an event read.

The store builds these from its register (document, final decision, stored extracted text);
nothing in :mod:`classifier.handling` reads the database itself.

Source: issue 13 §6–7; the period forms of the Law (years, or a declassification condition
where no period can be fixed) as summarised in ``../shared/docs/law-notes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.catalogue import Level, format_mark


@dataclass(frozen=True)
class SecretRecord:
    """A registered state secret with its decision and stored text.

    Attributes
    ----------
    record_id : str
        The register's id of the document.
    title : str
        For display (and, for a ``正式印发后`` condition, what publication must carry).
    level : Level
        The final decision's level: 秘密, 机密 or 绝密.
    period_years : int or None
        Secrecy period in years (> 0), or None when a condition applies or none was marked.
    condition : str or None
        Declassification condition as marked (``"任免正式公布后"``), or None.
    clause : str or None
        The catalogue clause of the decision (定密依据), e.g. ``"4.3"``.
    text : str
        The stored extracted text; offsets in results index this string.

    Raises
    ------
    ValueError
        If ``level`` is not a state-secret level or ``period_years`` is not positive.

    Notes
    -----
    A record with neither a period nor a condition has the longest period of its level
    (Source: the Law; a carrier with no period marked, law-notes "longest periods").
    """

    record_id: str
    title: str
    level: Level
    period_years: int | None
    condition: str | None
    clause: str | None
    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.level, Level) or not self.level.is_secret:
            raise ValueError(f"record {self.record_id!r}: level must be 秘密, 机密 or 绝密, "
                             f"not {self.level!r}")
        if self.period_years is not None and self.period_years <= 0:
            raise ValueError(f"record {self.record_id!r}: period_years must be > 0, "
                             f"not {self.period_years}")

    @property
    def effective_years(self) -> int | None:
        """The period in years: the marked one, or the level's longest when nothing is marked
        (None under a condition)."""
        if self.period_years is not None:
            return self.period_years
        if self.condition:
            return None
        return self.level.max_period_years

    @property
    def mark(self) -> str:
        """The marking, e.g. ``"机密★20年"`` or ``"机密★任免正式公布后"``."""
        return format_mark(self.level, self.period_years, self.condition)
