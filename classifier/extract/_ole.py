"""Just enough of the OLE2 compound-file format to tell a .doc from an encrypted Office file.

An Office file with an open password (DOCX, XLSX … since Office 2007) is not a ZIP but an
OLE2 compound file holding an ``EncryptionInfo`` and an ``EncryptedPackage`` stream; a Word
97-2003 ``.doc`` holds a ``WordDocument`` stream, and its FIB says whether it is encrypted.

Notes
-----
Source: [MS-CFB] (header, FAT, directory entries) and [MS-OFFCRYPTO] §2.3.4 (the
``EncryptionInfo`` stream); [MS-DOC] §2.5.2 (FibBase, ``fEncrypted`` bit 0x0100 at offset
0x0A). Only the directory is read; nothing here trusts a length it has not bounded.
"""

from __future__ import annotations

import struct

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFA  # sector numbers from here on are markers (ENDOFCHAIN, FREESECT …)


def _sector(data: bytes, size: int, number: int) -> bytes:
    """Return sector ``number`` (empty when it lies outside the file)."""
    start = (number + 1) * size
    return data[start : start + size] if start + size <= len(data) else b""


def read_directory(data: bytes) -> dict[str, tuple[int, int]] | None:
    """Read the OLE2 directory.

    Parameters
    ----------
    data : bytes
        The whole compound file.

    Returns
    -------
    dict or None
        Entry name → ``(start_sector, size_bytes)``; ``None`` when the structure cannot be
        read (a header only, a truncated file).
    """
    if len(data) < 512 or not data.startswith(OLE2_MAGIC):
        return None
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return None
    size = 1 << shift
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END]
    sid, guard = first_difat, 0
    while sid < _END and guard < min(n_difat, len(data) // size) and len(fat_sectors) < n_fat:
        block = _sector(data, size, sid)
        if not block:
            return None
        entries = struct.unpack(f"<{size // 4}I", block)
        fat_sectors.extend(s for s in entries[:-1] if s < _END)
        sid, guard = entries[-1], guard + 1
    fat: list[int] = []
    for s in fat_sectors[:n_fat]:
        block = _sector(data, size, s)
        if not block:
            return None
        fat.extend(struct.unpack(f"<{size // 4}I", block))
    names: dict[str, tuple[int, int]] = {}
    sid, seen = first_dir, set()
    while sid < _END:
        if sid in seen or sid >= len(fat):
            return None
        seen.add(sid)
        block = _sector(data, size, sid)
        if not block:
            return None
        for off in range(0, size, 128):
            entry = block[off : off + 128]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            if entry[66] == 0 or not 2 <= name_len <= 64:  # unused entry
                continue
            name = entry[: name_len - 2].decode("utf-16-le", "replace")
            start, stream_size = struct.unpack_from("<IQ", entry, 116)
            names[name] = (start, stream_size)
        sid = fat[sid]
    return names or None


def is_encrypted_doc(data: bytes, entry: tuple[int, int]) -> bool:
    """Whether the ``WordDocument`` stream's FIB has ``fEncrypted`` set."""
    start, stream_size = entry
    if stream_size < 4096:  # small streams live in the mini stream, which is not read here
        return False
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    first = _sector(data, 1 << shift, start)
    if len(first) < 12 or struct.unpack_from("<H", first, 0)[0] != 0xA5EC:  # FIB magic
        return False
    return bool(struct.unpack_from("<H", first, 0x0A)[0] & 0x0100)
