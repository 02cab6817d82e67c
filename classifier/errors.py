"""Every failure a caller can handle, each with a stable code.

The codes are part of the public contract: the CLI's JSON (``error.code``), the
database and the app all carry them, so they never change once released.
Messages shown to users are Simplified Chinese and start with ``[code]``.

Source: house style (../shared/docs/house-style.md, "Error codes"); issue 2 (§3).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ClassifierError(Exception):
    """Base class of every error dingmi raises on purpose.

    Parameters
    ----------
    message : str
        Human-readable Simplified Chinese message, without the ``[code]`` prefix.
    path : pathlib.Path or str, optional
        The file the error is about, if any.

    Attributes
    ----------
    code : str
        Stable machine-readable code (class attribute), e.g. ``"corrupt_file"``.
    """

    code: str = "error"

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        super().__init__(f"[{self.code}] {message}")

    def to_dict(self) -> dict[str, str]:
        """Return ``{"code", "message"}`` for JSON output (message carries the code prefix)."""
        return {"code": self.code, "message": str(self)}


class ExtractionError(ClassifierError):
    """Base class of the errors raised while reading a file."""

    code = "extraction_error"


class UnsupportedFormatError(ExtractionError):
    """The content (by magic bytes) is not PDF, DOCX or plain text."""

    code = "unsupported_format"


class LegacyDocError(UnsupportedFormatError):
    """A legacy Word 97-2003 ``.doc`` (OLE2 compound file), whatever its name says.

    Its code stays ``unsupported_format`` until .doc is supported; ``kind`` says why.
    """

    kind = "legacy_doc"


class CorruptFileError(ExtractionError):
    """The file claims a supported format but cannot be parsed (truncated zip, broken xref …)."""

    code = "corrupt_file"


class EncryptedError(ExtractionError):
    """The file is protected by an open (user) password."""

    code = "encrypted"


class EmptyTextError(ExtractionError):
    """The file holds no text at all (zero bytes, blank document, whitespace only)."""

    code = "empty_text"


class TooLargeError(ExtractionError):
    """The file exceeds the configured size or page limit."""

    code = "too_large"


class NeedsOcrError(ExtractionError):
    """A PDF whose pages carry no text layer (a scan): OCR is needed."""

    code = "needs_ocr"


class NeedsConverterError(ExtractionError):
    """A legacy or foreign format (.doc, .wps, .rtf …) needs LibreOffice, which is not installed.

    Install it with ``apt-get install -y libreoffice-writer-nogui`` (README, "Formats").
    """

    code = "needs_converter"


class ExtractionTimeoutError(ExtractionError):
    """Reading one document took longer than its time limit (``DINGMI_EXTRACT_TIMEOUT``)."""

    code = "timeout"


class CatalogueError(ClassifierError):
    """The scope catalogue file is invalid; the message names the key and line."""

    code = "invalid_catalogue"


class ModelNotReadyError(ClassifierError):
    """No trained model was found or the model files are invalid."""

    code = "model_not_ready"


class ModelFormatError(ModelNotReadyError):
    """A model directory exists but its files are malformed or of an unknown version."""

    code = "invalid_model"


class UsageError(ClassifierError):
    """The caller passed an invalid argument (a path that does not exist, a bad option)."""

    code = "usage_error"


class NotFoundError(ClassifierError):
    """A path or record that was asked for does not exist."""

    code = "not_found"


class InternalError(ClassifierError):
    """An unexpected failure while handling one input; reported, never shown as a traceback."""

    code = "internal_error"


#: Every stable code, for documentation and tests.
ERROR_CODES: tuple[str, ...] = (
    "unsupported_format",
    "corrupt_file",
    "encrypted",
    "empty_text",
    "too_large",
    "needs_ocr",
    "needs_converter",
    "timeout",
    "invalid_catalogue",
    "model_not_ready",
    "invalid_model",
    "usage_error",
    "not_found",
    "internal_error",
)


# --- Workflow and store (issue 3) -------------------------------------------------------


class StoreError(ClassifierError):
    """The database cannot be used (schema newer than this code, unreachable, …)."""

    code = "store_error"


class WorkflowError(ClassifierError):
    """Base class of the errors raised by a refused workflow action (nothing was written)."""

    code = "workflow_error"


class IllegalTransitionError(WorkflowError, ValueError):
    """The action is not allowed from the document's current status."""

    code = "illegal_transition"


class PermissionDeniedError(WorkflowError, PermissionError):
    """The acting user's role may not perform this action."""

    code = "permission_denied"


class SelfReviewError(PermissionDeniedError):
    """A reviewer tried to review (confirm, override, escalate) their own proposal."""

    code = "self_review"


class StaleVersionError(WorkflowError):
    """Someone else changed the document since it was loaded (optimistic locking)."""

    code = "stale_version"


class EmptyReasonError(WorkflowError, ValueError):
    """An override or decision without a reason, or an escalation without a question."""

    code = "empty_reason"


class InvalidDecisionError(WorkflowError, ValueError):
    """A proposal or decision with an invalid level, clause or period."""

    code = "invalid_decision"


class UnknownUserError(WorkflowError, LookupError):
    """The acting user does not exist (or is inactive)."""

    code = "unknown_user"


class UserExistsError(WorkflowError, ValueError):
    """A user with this name already exists."""

    code = "user_exists"


ERROR_CODES += (
    "store_error",
    "illegal_transition",
    "permission_denied",
    "self_review",
    "stale_version",
    "empty_reason",
    "invalid_decision",
    "unknown_user",
    "user_exists",
)


# --- Model registry (issue 4) ----------------------------------------------------------


class ModelTamperedError(ModelFormatError):
    """A model file differs from the sha256 recorded in its manifest when it was saved, or
    the manifest's signature does not match the installation's key (issue 11)."""

    code = "model_tampered"


class ModelUnsignedError(ModelTamperedError):
    """A model whose manifest carries no signature (saved before signatures existed), or an
    installation with no signing key: not loaded until signed (issue 11)."""

    code = "model_unsigned"


class ModelKeyError(ModelNotReadyError):
    """The installation's model-signing key (``<home>/keys/model.key``) is unreadable."""

    code = "invalid_model_key"


ERROR_CODES += ("model_tampered", "model_unsigned", "invalid_model_key")


# --- Word lists (issue 8) ---------------------------------------------------------------


class WordListError(UsageError):
    """A user word list (``--userdict``, ``<home>/userdict.txt``) cannot be used.

    Raised for a file that cannot be read and for a line jieba 0.42's ``load_userdict`` would
    refuse (not UTF-8) or jieba-rs would (a frequency too large); the message names the line.
    """

    code = "invalid_word_list"


ERROR_CODES += ("invalid_word_list",)


# --- Hostile inputs and batches (issue 8) ---------------------------------------------


class HiddenFileSkipped(ClassifierError):
    """A hidden file or folder (name starting with ``.``) inside a folder given: not read.

    It gets its own line so that nothing in a folder is passed over silently; it does not
    make the exit status 1. Name the file directly to have it read.
    """

    code = "skipped_hidden"


ERROR_CODES += ("skipped_hidden",)


# --- Passage labels of decisions (issue 9, item 8) -------------------------------------


class InvalidPassageError(InvalidDecisionError):
    """A passage ticked with a decision is not a range of the document's text.

    Each passage is ``(start, end)`` offsets into the extracted text, whole numbers with
    ``0 <= start < end <= len(text)``; nothing is recorded when one is not.
    """

    code = "invalid_passage"


ERROR_CODES += ("invalid_passage",)


# --- Accounts, sessions and the audit record (issue 11) -------------------------------


class AuthenticationError(WorkflowError):
    """Wrong user name or password, or an unknown or revoked token (which one is not said)."""

    code = "authentication_failed"


class AuthenticationRequiredError(WorkflowError):
    """The operation needs a credential (a password or a personal token) and none was given."""

    code = "authentication_required"


class AccountLockedError(AuthenticationError):
    """Too many failed logins: the account is locked until the time in the message."""

    code = "account_locked"


class SessionExpiredError(AuthenticationError):
    """The session ended (logout, idle timeout, disabled account): log in again."""

    code = "session_expired"


class WeakPasswordError(WorkflowError, ValueError):
    """A new password breaks the password policy (the message says which rule)."""

    code = "weak_password"


class PasswordChangeRequiredError(PermissionDeniedError):
    """A first or reset password must be changed before anything else is done."""

    code = "password_change_required"


class DutyConflictError(PermissionDeniedError):
    """An account would hold two administrator duties, or a duty and a workflow role."""

    code = "duty_conflict"


class AdminExistsError(WorkflowError):
    """``dingmi admin init`` on a database that already has administrators (use --force)."""

    code = "admin_exists"


class AlreadyRegisteredError(WorkflowError):
    """A file already registered by someone whose documents this user may not open."""

    code = "already_registered"


ERROR_CODES += ("already_registered", "authentication_failed", "authentication_required", "account_locked",
                "session_expired", "weak_password", "password_change_required",
                "duty_conflict", "admin_exists")


# --- Periods, register numbers and document output (issue 12) --------------------------


class PeriodRequiredError(InvalidDecisionError):
    """A secret (秘密, 机密, 绝密) without a secrecy period or a declassification condition."""

    code = "period_required"


class PeriodTooLongError(InvalidDecisionError):
    """A secrecy period longer than the law allows for the level (绝密 30, 机密 20, 秘密 10 years)."""

    code = "period_too_long"


class InvalidPeriodError(InvalidDecisionError):
    """A period that is not a whole number of years ≥ 1, both a period and a condition, an
    unusable condition text, or any period on 公开/内部 (not state secrets)."""

    code = "invalid_period"


class InvalidRegisterPatternError(UsageError):
    """A register-number pattern (e.g. ``组密〔{year}〕{seq:04d}号``) that cannot number documents."""

    code = "invalid_register_pattern"


class DocumentOutputError(ClassifierError):
    """Base class of the errors raised while writing a marked copy or an approval form."""

    code = "document_output_error"


class InvalidMarkError(DocumentOutputError, ValueError):
    """Marks that may not be printed: a bad 份号, a secret without a register number, a ★ on a
    non-secret, a declassification without its date."""

    code = "invalid_mark"


class NoCjkFontError(DocumentOutputError):
    """No TrueType CJK font to stamp a PDF with (``apt-get install -y fonts-wqy-zenhei``)."""

    code = "no_cjk_font"


ERROR_CODES += ("period_required", "period_too_long", "invalid_period",
                "invalid_register_pattern", "document_output_error", "invalid_mark",
                "no_cjk_font")


class OriginalNotKeptError(DocumentOutputError):
    """A marked copy was asked for, but the uploaded file was not kept
    (``DINGMI_STORE_ORIGINALS=1`` keeps originals; issue 12, item 2)."""

    code = "original_not_kept"


class NotSettledError(WorkflowError, ValueError):
    """A marked copy or an approval form of a document whose classification is not settled,
    or a 份号 asked of a document that carries none."""

    code = "not_settled"


ERROR_CODES += ("original_not_kept", "not_settled")


# --- Blind mode (issue 14 §3) ---------------------------------------------------------------


class InvalidSettingError(UsageError):
    """A ``DINGMI_*`` setting (or a policy field) has a value outside its allowed range."""

    code = "invalid_setting"


class NotBlindError(WorkflowError, ValueError):
    """An independent first judgement asked for on a draft that is not in blind mode."""

    code = "not_blind"


class AlreadyJudgedError(WorkflowError, ValueError):
    """A reviewer's independent first judgement on a blind draft is already recorded."""

    code = "already_judged"


class JudgementRequiredError(WorkflowError, ValueError):
    """A director confirms or overrides a blind draft before recording a first judgement
    (issue 14 §3: the judgement comes first, or agreement on blind items means nothing)."""

    code = "judgement_required"


ERROR_CODES += ("invalid_setting", "not_blind", "already_judged", "judgement_required")


class IndexFormatError(ClassifierError, ValueError):
    """A saved similarity index or signature is malformed or was made with other parameters
    (:mod:`classifier.oversight.consistency`)."""

    code = "invalid_index"


class UnparsableConditionError(ClassifierError, ValueError):
    """A declassification condition none of the rules reads: the record is tracked by hand
    (:mod:`classifier.handling.release`)."""

    code = "unparsable_condition"


class UntrackableConditionError(ClassifierError, ValueError):
    """A condition was read but the record's text names nothing that would fulfil it."""

    code = "untrackable_condition"


ERROR_CODES += ("invalid_index", "unparsable_condition", "untrackable_condition")


# --- Structured reasons (issue 14 §1) ----------------------------------------------------


class ReasonRequiredError(EmptyReasonError):
    """A decision or a proposal that departs from the suggestion without a reason code."""

    code = "reason_required"


class InvalidReasonCodeError(InvalidDecisionError):
    """A reason code that is not one of :class:`classifier.workflow.reasons.ReasonCode`."""

    code = "invalid_reason_code"


ERROR_CODES += ("reason_required", "invalid_reason_code")


# --- Handling classified documents (issue 13) ------------------------------------------


class HandlingError(WorkflowError):
    """Base class of a refused register, circulation, loan or clean-up action (nothing written)."""

    code = "handling_error"


class NotHolderError(HandlingError, ValueError):
    """A hand-over from someone who does not hold the copy: copies pass only directly between
    the named holder and the named receiver (regulation 八(二): no indirect passing)."""

    code = "not_holder"


class CopyUnavailableError(HandlingError):
    """The copy is out (in circulation, lent, with a reader) or its document was disposed of."""

    code = "copy_unavailable"


class LoanApprovalError(PermissionDeniedError):
    """The approver may not approve this loan: the head's approval is required (部长办公会
    records, an original to an outside unit), or the approver is the requester."""

    code = "loan_approval_required"


class OriginalNotLentError(LoanApprovalError):
    """An original to an outside unit without the head's approval and a recorded reason
    (regulation 八(四): 一般不向外单位借阅涉密文件原件)."""

    code = "original_not_lent"


class WitnessesRequiredError(HandlingError, ValueError):
    """A destruction without two distinct named witnesses other than the clerk recording it."""

    code = "witnesses_required"


class RegisterImportError(HandlingError, ValueError):
    """A register file that cannot be imported at all (not an XLSX workbook, no header row)."""

    code = "invalid_register_file"


ERROR_CODES += ("handling_error", "not_holder", "copy_unavailable", "loan_approval_required",
                "original_not_lent", "witnesses_required", "invalid_register_file")


# --- The database at work, backups and restores (issue 11, §8 and §9) -------------------


class DatabaseBusyError(StoreError):
    """The database is locked by another connection past the busy timeout (SQLite
    ``database is locked``): nothing was written; try again shortly."""

    code = "database_busy"


class DatabaseUnavailableError(StoreError):
    """The connection to the database was lost or cannot be made (a PostgreSQL server gone)."""

    code = "database_unavailable"


class DatabaseKeyError(StoreError):
    """The database file cannot be read: the SQLCipher key is wrong or missing, or the file
    is not a database."""

    code = "database_key_invalid"


class BackupError(StoreError):
    """A backup or a restore cannot be made (``dingmi backup``, ``dingmi restore``)."""

    code = "backup_error"


class BackupTamperedError(BackupError, ValueError):
    """An archive whose files differ from its sha256 manifest, whose database's audit chain
    is not sound, or that is not a dingmi backup at all: refused, nothing restored."""

    code = "backup_tampered"


class BackupUnverifiedError(BackupError):
    """The copy of the database failed the audit chain verification: no backup was written."""

    code = "backup_unverified"


class HomeNotEmptyError(BackupError):
    """A restore into a data home that already holds data, without ``--force``."""

    code = "home_not_empty"


class BackupUnsupportedError(BackupError):
    """The database is PostgreSQL: its backups are ``pg_dump``'s job, not dingmi's."""

    code = "backup_unsupported"


ERROR_CODES += ("database_busy", "database_unavailable", "database_key_invalid", "backup_error", "backup_tampered",
                "backup_unverified", "home_not_empty", "backup_unsupported")


def error_from_dict(err: Mapping[str, Any]) -> ClassifierError:
    """Rebuild the typed error of a JSON ``{"code", "message"}`` (a record from a child process).

    Parameters
    ----------
    err : mapping
        ``code`` and ``message`` as :meth:`ClassifierError.to_dict` gives them.

    Returns
    -------
    ClassifierError
        An instance of the class with that code (:class:`InternalError` for an unknown code),
        its message without the repeated ``[code]`` prefix.
    """
    code = str(err.get("code", "internal_error"))
    message = str(err.get("message", ""))
    prefix = f"[{code}] "
    message = message[len(prefix):] if message.startswith(prefix) else message
    todo: list[type[ClassifierError]] = [ClassifierError]
    while todo:
        cls = todo.pop()
        if cls.code == code:
            return cls(message)
        todo.extend(cls.__subclasses__())
    return InternalError(message)


# --- What a person is told (issue 15: plain Chinese everywhere) --------------------------

#: What to do next, per error code: appended to a message that does not already say it
#: (a message that contains “请” already tells the reader what to do). Codes without an
#: entry are shown as their message alone.
ADVICE: dict[str, str] = {
    "unsupported_format": "请另存为 PDF、DOCX、OFD 或 TXT 格式后重新上传。",
    "corrupt_file": "请用原来的软件打开文件、重新保存或导出后再上传。",
    "encrypted": "请先去掉文件的打开密码，再重新上传。",
    "empty_text": "请确认文件内容；扫描件请上传清晰的图片或 PDF。",
    "too_large": "请把文件拆分为较小的几份后分别上传。",
    "needs_ocr": "请上传带文字层的文件，或联系系统管理员安装文字识别组件。",
    "needs_converter": "请另存为 DOCX 或 PDF 后上传，或联系系统管理员安装文档转换组件。",
    "timeout": "请稍后重试；如仍超时，请把文件拆分后上传。",
    "not_found": "请刷新页面后重试。",
    "internal_error": "请稍后重试；如反复出现，请联系系统管理员。",
    "store_error": "请稍后重试；如反复出现，请联系系统管理员。",
    "model_not_ready": "请联系办公室主任或系统管理员训练或启用模型。",
    "invalid_model": "请联系办公室主任或系统管理员检查模型。",
    "model_tampered": "请联系办公室主任或系统管理员检查模型文件。",
    "model_unsigned": "请联系系统管理员为模型签名后再使用。",
    "invalid_model_key": "请联系系统管理员检查模型密钥。",
    "illegal_transition": "请刷新页面，查看文件当前状态后再办理。",
    "stale_version": "请刷新页面，查看最新情况后再办理。",
    "permission_denied": "如确需办理，请联系安全保密管理员。",
    "self_review": "请由其他审核人办理。",
    "empty_reason": "请填写后再提交。",
    "reason_required": "请至少选择一项理由后再提交。",
    "invalid_reason_code": "请从列出的理由中选择。",
    "invalid_decision": "请按提示修改后再提交。",
    "invalid_passage": "请重新勾选段落后再提交。",
    "period_required": "请填写保密期限或解密条件。",
    "period_too_long": "请把保密期限改在法定最长期限以内。",
    "invalid_period": "请检查保密期限和解密条件后再提交。",
    "authentication_failed": "请检查用户名和口令后重试。",
    "account_locked": "请等锁定时间过后再登录，或联系安全保密管理员解锁。",
    "session_expired": "请重新登录。",
    "weak_password": "请按口令规则另设口令。",
    "user_exists": "请换一个用户名。",
    "duty_conflict": "请为该账户选择其他角色。",
    "original_not_kept": "请联系系统管理员开启原件保存后重新上传。",
    "not_settled": "请等定密完成后再办理。",
    "invalid_setting": "请联系系统管理员改正该设置后重新启动。",
    "not_blind": "请直接在下方审核。",
    "already_judged": "请刷新页面后继续审核。",
    "judgement_required": "本件为盲评抽样：请先记录您的独立判断，再确认或变更。",
}


def user_message(err: ClassifierError) -> str:
    """The Chinese sentence a person reads for ``err``: what happened and what to do.

    Parameters
    ----------
    err : ClassifierError
        Any error dingmi raised on purpose.

    Returns
    -------
    str
        The message without the ``[code]`` prefix, followed by :data:`ADVICE` for its code
        when the message does not already ask the reader to do something (“请…”). The code
        itself is shown apart (the app's collapsed technical detail, the CLI's JSON).
    """
    message = err.message.strip()
    prefix = f"[{err.code}] "
    if message.startswith(prefix):
        message = message[len(prefix):]
    advice = ADVICE.get(err.code, "")
    if not advice or "请" in message:
        return message
    if message and message[-1] not in "。！？；":
        message += "。"
    return message + advice


#: Warning codes of an extraction or a suggestion (``"code: 说明"``) whose text is replaced
#: for a person; the others keep their own Chinese text.
WARNING_TEXT: dict[str, str] = {
    "ocr_text": "系统建议依据的是文字识别读出的文字，请对照原件页面核对识别文字。",
}


def warning_message(warning: str) -> tuple[str, str | None]:
    """Split a stored warning into the sentence a person reads and its code.

    Parameters
    ----------
    warning : str
        A warning as extraction and suggestion record it: ``"code: 中文说明"`` (or a bare
        sentence).

    Returns
    -------
    (str, str or None)
        The Chinese sentence (no internal prefix, no Latin abbreviation such as “（OCR）”)
        and the code, or None when the warning has no code prefix.

    Examples
    --------
    >>> warning_message("page_error: 第2页已损坏，未能读取")
    ('第2页已损坏，未能读取。', 'page_error')
    """
    code: str | None = None
    head, sep, rest = warning.partition(": ")
    if sep and head and all(c.islower() or c == "_" for c in head):
        code, text = head, rest
    else:
        text = warning
    text = WARNING_TEXT.get(code or "", text).replace("（OCR）", "").strip()
    if text and text[-1] not in "。！？；":
        text += "。"
    return text, code
