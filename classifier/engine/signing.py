"""A model's manifest, signed with a key of the installation kept outside the models folder.

Every model directory holds ``manifest.json``: the sha256 of each model file and an
HMAC-SHA256 over those digests, keyed by a secret of the data home
(``<home>/keys/model.key``: 32 random bytes as hex, its folder 0700 and the file 0600,
created at the first signing). A person who can change the weights and recompute the
sha256 but cannot read the key cannot make the signature match, so such a model is refused
(``model_tampered``) before anything of it is parsed. A model signed with another
installation's key is refused the same way; one saved before signatures existed, or an
installation with no key, is ``model_unsigned`` (a person may vouch for it: ``dingmi models
promote``, see :meth:`classifier.training.registry.Registry.promote`).

Source: issue 11 (§7 "only a recorded model loads": an HMAC keyed by a secret kept outside
the model folder, 0600); RFC 2104 (HMAC), Python's :mod:`hmac` (``compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from classifier.errors import (
    ModelFormatError,
    ModelKeyError,
    ModelTamperedError,
    ModelUnsignedError,
)

#: The files of a model directory whose sha256 the manifest records.
MODEL_FILES = ("model.npz", "vocabulary.json", "metadata.json")
#: The passage model's files (issue 9), present when the model scores passages on their own.
PASSAGE_FILES = ("passage.npz", "passage_vocabulary.json")
MANIFEST = "manifest.json"
#: What the signature covers (a version of the signed bytes, so that it can change).
SIGNED_FORMAT = "dingmi.manifest.v2"
#: Length of the key, bytes (the HMAC-SHA256 block-size rule: at least the digest size).
KEY_BYTES = 32


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def key_id(key: bytes) -> str:
    """A short public name of a key (first 12 hex digits of its sha256), kept in manifests."""
    return hashlib.sha256(key).hexdigest()[:12]


def read_model_key(path: Path, *, create: bool = False) -> bytes:
    """The installation's model-signing key.

    Parameters
    ----------
    path : pathlib.Path
        ``Settings.model_key_path`` (``<home>/keys/model.key``).
    create : bool
        Create it (32 random bytes from :mod:`secrets`; folder 0700, file 0600, never
        overwritten) when it does not exist. Training and signing create it; loading never
        does.

    Returns
    -------
    bytes
        :data:`KEY_BYTES` bytes.

    Raises
    ------
    ModelUnsignedError
        No key and ``create`` is False: nothing on this installation was ever signed.
    ModelKeyError
        The file cannot be read or is not 64 hexadecimal digits.
    """
    if create and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it at the same moment: read theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError as e:
        raise ModelUnsignedError(f"本机没有模型签名密钥（{path.name}）：模型未经本机签名，已拒绝载入；"
                                 "请重新训练（dingmi train）", path=path) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ModelKeyError(f"模型签名密钥无法读取：{e}", path=path) from e
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ModelKeyError(f"模型签名密钥 {path.name} 已损坏（应为 {KEY_BYTES * 2} 位十六进制数）",
                            path=path)
    return key


def _mac(key: bytes, hashes: dict[str, str]) -> str:
    """HMAC-SHA256 (hex) of the canonical JSON of the recorded digests."""
    body = json.dumps({"format": SIGNED_FORMAT, "sha256": hashes}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def write_manifest(directory: Path, key: bytes) -> dict[str, str]:
    """Record and sign the sha256 of the model files of ``directory`` as they are now.

    Parameters
    ----------
    directory : pathlib.Path
        A model directory (:data:`MODEL_FILES`, and :data:`PASSAGE_FILES` when present).
    key : bytes
        :func:`read_model_key`.

    Returns
    -------
    dict of str -> str
        File name → sha256.
    """
    names = MODEL_FILES + (PASSAGE_FILES if (directory / PASSAGE_FILES[0]).exists() else ())
    hashes = {name: file_sha256(directory / name) for name in names}
    doc = {"sha256": hashes, "signature": {"alg": "hmac-sha256", "format": SIGNED_FORMAT,
                                           "key_id": key_id(key), "mac": _mac(key, hashes)}}
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(directory / MANIFEST)
    return hashes


def read_manifest(directory: Path) -> tuple[dict[str, str], dict[str, str] | None]:
    """The recorded digests and the signature (None for a manifest saved before signatures).

    Raises
    ------
    ModelFormatError
        The manifest is missing or malformed.
    """
    try:
        doc = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        recorded = doc["sha256"]
    except FileNotFoundError as e:
        raise ModelFormatError(f"模型目录 {directory.name} 缺少 {MANIFEST}（无法校验模型文件）；"
                               "请重新运行 dingmi train", path=directory) from e
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise ModelFormatError(f"{MANIFEST} 无法读取：{e}", path=directory) from e
    if (not isinstance(recorded, dict)
            or set(recorded) not in (set(MODEL_FILES), set(MODEL_FILES + PASSAGE_FILES))
            or not all(isinstance(v, str) for v in recorded.values())):
        raise ModelFormatError(f"{MANIFEST} 内容不完整", path=directory)
    sig = doc.get("signature")
    if sig is not None and (not isinstance(sig, dict)
                            or not all(isinstance(sig.get(k), str) for k in ("mac", "key_id"))):
        raise ModelFormatError(f"{MANIFEST} 的签名不完整", path=directory)
    return dict(recorded), sig


def verify_files(directory: Path, recorded: dict[str, str]) -> None:
    """Check every file of ``directory`` against its recorded sha256.

    Raises
    ------
    ModelTamperedError
        A file is missing or its sha256 differs.
    """
    for name in recorded:
        if not (directory / name).is_file() or file_sha256(directory / name) != recorded[name]:
            raise ModelTamperedError(
                f"模型文件 {directory.name}/{name} 与保存时记录的 sha256 不一致，已拒绝载入"
                "（文件可能被替换或损坏）", path=directory / name)


def verify_manifest(directory: Path, key: bytes) -> dict[str, str]:
    """Check the manifest's signature with the installation's key, then every file.

    Parameters
    ----------
    directory : pathlib.Path
    key : bytes
        :func:`read_model_key`.

    Returns
    -------
    dict of str -> str
        File name → sha256, as recorded and signed.

    Raises
    ------
    ModelFormatError
        The manifest is missing or malformed.
    ModelUnsignedError
        The manifest carries no signature (saved before signatures existed).
    ModelTamperedError
        The signature does not match (the manifest was rewritten, or the model was signed by
        another installation), or a file differs from its recorded sha256.
    """
    recorded, sig = read_manifest(directory)
    if sig is None:
        raise ModelUnsignedError(
            f"模型 {directory.name} 未经签名（签名功能启用前训练），已拒绝载入；请重新训练，"
            "或由有权限的人员核验后启用（dingmi models promote）", path=directory)
    if not hmac.compare_digest(sig["mac"], _mac(key, recorded)):
        other = "（该模型由另一套安装的密钥签名）" if sig["key_id"] != key_id(key) else ""
        raise ModelTamperedError(
            f"模型 {directory.name} 的签名校验未通过{other}：清单或模型文件在保存后被改动，"
            "已拒绝载入", path=directory / MANIFEST)
    verify_files(directory, recorded)
    return recorded
