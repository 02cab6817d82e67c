"""What a mark line is made of: the unit both writers (DOCX, PDF) draw.

Source: GB/T 9704-2012 §7.2.1–7.2.2 (3号 = 16 pt; 份号 line 1, mark line 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: 3号 in points (GB/T 9704-2012 §5.2.2 and §7.2.1–7.2.2; 3号 = 16 pt).
SIZE_3HAO_PT = 16.0
#: The register number's size, points (小四 = 12 pt; dingmi's choice, not GB/T 9704's).
SIZE_REGISTER_PT = 12.0

Role = Literal["copy_number", "register_number", "mark", "voided_mark", "declassified"]


@dataclass(frozen=True)
class Segment:
    """A run of text on a mark line.

    Attributes
    ----------
    text : str
    role : str
        ``copy_number``, ``register_number``, ``mark``, ``voided_mark`` (draw struck through)
        or ``declassified``.
    size_pt : float
        Font size, points.
    heiti : bool
        Set in 黑体 (a sans-serif CJK face) rather than the body face.
    align_right : bool
        Placed at the right end of the line (the register number).
    """

    text: str
    role: Role
    size_pt: float = SIZE_3HAO_PT
    heiti: bool = True
    align_right: bool = False

    @property
    def voided(self) -> bool:
        """True for an old mark that is drawn struck through."""
        return self.role == "voided_mark"


#: One printed line: its segments from left to right (a right-aligned one last).
MarkLine = tuple[Segment, ...]
