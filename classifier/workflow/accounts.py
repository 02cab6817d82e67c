"""Accounts and sessions: who is acting. Passwords, lockout, sessions, personal tokens, 三员.

- Passwords are hashed with argon2id (argon2-cffi; parameters in
  :class:`~classifier.config.AuthPolicy`) and never stored or logged in clear. A first or
  reset password must be changed before anything else is done.
- After ``lockout_failures`` failed logins in a row the account is locked for
  ``lockout_seconds``, doubled at each further failure; the right password does not open a
  locked account before the time has passed.
- A session is a random token of which only the sha256 is stored; it ends at logout, after
  ``session_idle_minutes`` without use, or when the account is disabled.
- Personal tokens for the command line are created by their owner (shown once, stored as a
  sha256), listed with their last use, and revocable.
- Three administrator duties (三员分立): the system administrator creates accounts and resets
  passwords, the security administrator assigns roles, the auditor reads the audit record.
  None of them acts in the workflow or opens a document, and no account holds two duties.

Every login, failure, lockout, logout, expiry, password change and account change is an
audit event.

Training, promoting and rolling back the model are for :data:`MODEL_ROLES` (the office
director, who also retrains from the model page); each is an audit event with the version's
file digests.

Source: issue 11 (§1 accounts and login, §3 三员, §4 tokens, §7 the model).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from classifier.config import AuthPolicy, Settings
from classifier.errors import (
    AccountLockedError,
    AdminExistsError,
    AuthenticationError,
    AuthenticationRequiredError,
    DutyConflictError,
    EmptyReasonError,
    PasswordChangeRequiredError,
    PermissionDeniedError,
    SessionExpiredError,
    UnknownUserError,
    UsageError,
    WeakPasswordError,
)
from classifier.store import ApiToken, LoginSession, Store, User, utcnow
from classifier.workflow.register import format_time
from classifier.workflow.states import ADMIN_DUTIES, MODEL_ROLES, Role

#: Sessions are touched at most this often (seconds): a page view is not a write each time.
TOUCH_EVERY_S = 15.0


def token_hash(token: str) -> str:
    """The sha256 (hex) under which a session or personal token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_policy(name: str, password: str, policy: AuthPolicy) -> None:
    """Refuse a password that breaks the policy (:class:`WeakPasswordError` says which rule)."""
    if len(password) < policy.min_password_length:
        raise WeakPasswordError(f"口令至少应有 {policy.min_password_length} 个字符")
    kinds = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                 any(c.isdigit() for c in password),
                 any(not c.isalnum() or not c.isascii() for c in password)))
    if kinds < 3:
        raise WeakPasswordError("口令应包含大写字母、小写字母、数字、其他字符中的至少三种")
    if name and name.strip().lower() in password.lower():
        raise WeakPasswordError("口令不能包含用户名")


@dataclass(frozen=True)
class Credential:
    """A successful login: the session token (give it back on every call) and the user."""

    token: str
    user: User
    session: LoginSession

    @property
    def must_change_password(self) -> bool:
        """A first or reset password: only :meth:`Accounts.change_password` is allowed."""
        return self.user.must_change_password


class Accounts:
    """The account operations of :class:`~classifier.workflow.Workflow` (a mixin).

    Expects ``self.store``, ``self.auth`` (:class:`AuthPolicy`) and ``self.now`` (a clock
    returning aware UTC datetimes; tests move it forward).
    """

    store: Store
    auth: AuthPolicy
    now: Callable[[], datetime]

    # --- hashing ---

    @property
    def hasher(self) -> PasswordHasher:
        """argon2id with the policy's parameters."""
        return PasswordHasher(time_cost=self.auth.argon2_time_cost,
                              memory_cost=self.auth.argon2_memory_kib,
                              parallelism=self.auth.argon2_parallelism)

    def hash_password(self, name: str, password: str, *, check: bool = True) -> str:
        """The argon2id hash of a password that passes the policy."""
        if check:
            check_password_policy(name, password, self.auth)
        return self.hasher.hash(password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or _dummy_hash(self.hasher), password) and (
                stored is not None)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # --- login, sessions ---

    def login(self, name: str, password: str, *, via: str = "app") -> Credential:
        """Check a name and password and start a session.

        Raises
        ------
        AuthenticationError
            Unknown name, disabled account or wrong password (which one is not said).
        AccountLockedError
            Too many failures: locked until the time in the message, whatever the password.
        """
        name = (name or "").strip()
        now = self.now()
        found = self.store.account(name)
        user, stored = found if found is not None else (None, None)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            with self.store.transaction() as tx:
                tx.add_event("login_failed", actor=user, reason="账户已锁定",
                             detail={"name": name, "via": via})
            raise AccountLockedError(f"账户已锁定，请于 {format_time(user.locked_until)} 后再试")
        ok = self._verify(stored, password or "") and user is not None and user.active
        if not ok:
            error: AuthenticationError = AuthenticationError("用户名或口令错误")
            with self.store.transaction() as tx:
                if user is None:
                    tx.add_event("login_failed", detail={"name": name, "via": via})
                else:
                    failed = user.failed_logins + 1
                    locked = None
                    if failed >= self.auth.lockout_failures:
                        delay = min(self.auth.lockout_seconds
                                    * 2 ** (failed - self.auth.lockout_failures),
                                    self.auth.lockout_max_seconds)
                        locked = now + timedelta(seconds=delay)
                    tx.update_user(user.id, failed_logins=failed, locked_until=locked)
                    tx.add_event("login_failed", actor=user,
                                 detail={"name": name, "via": via, "failed": failed})
                    if locked is not None:
                        tx.add_event("account_locked", actor=user,
                                     detail={"until": locked.isoformat(), "failed": failed})
                        error = AccountLockedError(
                            f"连续 {failed} 次登录失败，账户已锁定，请于 {format_time(locked)} 后再试")
            raise error
        assert user is not None and stored is not None
        token = secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            fields: dict[str, object] = {"failed_logins": 0, "locked_until": None}
            if self.hasher.check_needs_rehash(stored):
                fields["password_hash"] = self.hasher.hash(password)
            user = tx.update_user(user.id, **fields)
            session = tx.add_session(user.id, token_hash(token), via)
            tx.add_event("login", actor=user, detail={"via": via, "session_id": session.id})
        return Credential(token, user, session)

    def logout(self, token: str | None) -> None:
        """End a session (nothing happens for an unknown or ended one)."""
        if not token:
            return
        with self.store.transaction() as tx:
            s = tx.session_by_token(token_hash(token))
            if s is None or s.ended_at is not None:
                return
            tx.update_session(s.id, ended_at=self.now(), end_reason="logout")
            tx.add_event("logout", actor=tx.user(s.user_id), detail={"session_id": s.id,
                                                                     "via": s.via})

    def session_user(self, token: str | None, *, allow_password_change: bool = False) -> User:
        """The user of a live session; the session is touched (idle time starts again).

        Raises
        ------
        AuthenticationRequiredError
            No token.
        SessionExpiredError
            Unknown, ended or idle too long (it is ended now, with an audit event).
        PasswordChangeRequiredError
            The password must be changed first (unless ``allow_password_change``).
        """
        if not token:
            raise AuthenticationRequiredError("请先登录")
        now = self.now()
        s = self.store.session_by_token(token_hash(token))
        if s is None or s.ended_at is not None:
            raise SessionExpiredError("会话已结束，请重新登录")
        found = self.store.account_by_id(s.user_id)
        idle = now - s.last_seen_at > timedelta(minutes=self.auth.session_idle_minutes)
        if idle or not found.active:
            reason = "idle" if idle else "disabled"
            with self.store.transaction() as tx:
                tx.update_session(s.id, ended_at=now, end_reason=reason)
                tx.add_event("session_expired", actor=found, reason=reason,
                             detail={"session_id": s.id})
            raise SessionExpiredError(
                f"{self.auth.session_idle_minutes:g} 分钟未操作，会话已结束，请重新登录" if idle
                else "账户已停用，会话已结束")
        if found.must_change_password and not allow_password_change:
            raise PasswordChangeRequiredError("首次登录或口令被重置后，须先修改口令")
        if (now - s.last_seen_at).total_seconds() > TOUCH_EVERY_S:
            with self.store.transaction() as tx:
                tx.update_session(s.id, last_seen_at=now)
        return found

    def change_password(self, user_id: int, old: str, new: str) -> User:
        """Change one's own password (the old one is checked; the new one must differ)."""
        found = self.store.account(self.store.account_by_id(user_id).name)
        assert found is not None
        user, stored = found
        if not self._verify(stored, old or ""):
            raise AuthenticationError("原口令错误")
        if old == new:
            raise WeakPasswordError("新口令不能与原口令相同")
        new_hash = self.hash_password(user.name, new)
        with self.store.transaction() as tx:
            user = tx.update_user(user.id, password_hash=new_hash, must_change_password=False,
                                  password_changed_at=utcnow())
            tx.add_event("password_change", actor=user)
        return user

    # --- personal tokens (command line) ---

    def create_token(self, user_id: int, name: str) -> tuple[ApiToken, str]:
        """A personal token for the command line: the value is returned once, never stored."""
        name = (name or "").strip() or "命令行"
        value = "dm_" + secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            user = tx.user(user_id)
            t = tx.add_token(user.id, name[:100], token_hash(value))
            tx.add_event("token_create", actor=user, detail={"token_id": t.id, "name": t.name})
        return t, value

    def tokens(self, user_id: int) -> list[ApiToken]:
        """One's personal tokens, with their last use."""
        with self.store.transaction() as tx:
            return tx.tokens(user_id)

    def revoke_token(self, user_id: int, token_id: int) -> None:
        """Revoke one of one's own personal tokens."""
        with self.store.transaction() as tx:
            user = tx.user(user_id)
            mine = {t.id: t for t in tx.tokens(user.id)}
            if token_id not in mine:
                raise PermissionDeniedError(f"令牌 {token_id} 不是您的令牌")
            tx.update_token(token_id, revoked_at=self.now())
            tx.add_event("token_revoke", actor=user, detail={"token_id": token_id})

    def token_user(self, value: str | None) -> User:
        """The user of a personal token (its last use is recorded), or AuthenticationError."""
        if not value:
            raise AuthenticationRequiredError("请提供口令或个人令牌")
        with self.store.transaction() as tx:
            t = tx.token_by_hash(token_hash(value))
            if t is not None and t.revoked_at is None:
                user, _ = tx.account_by_id(t.user_id)
                if user.active and not user.must_change_password:
                    tx.update_token(t.id, last_used_at=self.now())
                    tx.add_event("login", actor=user, detail={"via": "token",
                                                              "token_id": t.id})
                    return user
        raise AuthenticationError("个人令牌无效或已吊销")

    # --- administration (三员) ---

    def _actor(self, actor_id: int, role: Role, what: str) -> User:
        actor = self.store.user(actor_id)
        if Role(actor.role) is not role:
            raise PermissionDeniedError(f"{Role(actor.role).label}无权{what}（仅限{role.label}）")
        return actor

    def _administrator(self, actor_id: int) -> User:
        actor = self.store.user(actor_id)
        if Role(actor.role) not in (Role.SYSADMIN, Role.SECADMIN):
            raise PermissionDeniedError(f"{Role(actor.role).label}无权管理账户")
        return actor

    def accounts(self, actor_id: int) -> list[User]:
        """Every account, disabled ones too (system or security administrator)."""
        self._administrator(actor_id)
        return self.store.users(include_inactive=True)

    def account_by_name(self, actor_id: int, name: str) -> User:
        """One account by name (system or security administrator), or UnknownUserError."""
        self._administrator(actor_id)
        found = self.store.account((name or "").strip())
        if found is None:
            raise UnknownUserError(f"用户“{name}”不存在")
        return found[0]

    def create_account(self, actor_id: int, name: str, password: str) -> User:
        """The system administrator creates an account (no role yet; first password to change)."""
        actor = self._actor(actor_id, Role.SYSADMIN, "添加用户")
        name = _name(name)
        password_hash = self.hash_password(name, password)
        with self.store.transaction() as tx:
            user = tx.add_user(name, Role.NONE.value, password_hash=password_hash,
                               must_change_password=True)
            tx.add_event("user_add", actor=actor, detail={"user_id": user.id, "name": name,
                                                          "role": Role.NONE.value})
        return user

    def reset_password(self, actor_id: int, user_id: int, password: str) -> User:
        """The system administrator sets a new first password (to be changed) and unlocks."""
        actor = self._actor(actor_id, Role.SYSADMIN, "重置口令")
        target = self.store.account_by_id(user_id)
        password_hash = self.hash_password(target.name, password)
        with self.store.transaction() as tx:
            user = tx.update_user(user_id, password_hash=password_hash,
                                  must_change_password=True, failed_logins=0,
                                  locked_until=None, password_changed_at=utcnow())
            tx.add_event("password_reset", actor=actor, detail={"user_id": user_id,
                                                                "name": user.name})
        return user

    def unlock(self, actor_id: int, user_id: int) -> User:
        """The system administrator lifts a lockout."""
        actor = self._actor(actor_id, Role.SYSADMIN, "解除锁定")
        with self.store.transaction() as tx:
            user = tx.update_user(user_id, failed_logins=0, locked_until=None)
            tx.add_event("user_unlock", actor=actor, detail={"user_id": user_id,
                                                             "name": user.name})
        return user

    def disable(self, actor_id: int, user_id: int) -> User:
        """The system administrator disables an account (its sessions end at their next use)."""
        actor = self._actor(actor_id, Role.SYSADMIN, "停用用户")
        if user_id == actor.id:
            raise PermissionDeniedError("不能停用本人账户")
        with self.store.transaction() as tx:
            user = tx.update_user(user_id, active=False)
            tx.add_event("user_disable", actor=actor, detail={"user_id": user_id,
                                                              "name": user.name})
        return user

    def assign_role(self, actor_id: int, user_id: int, role: str | Role) -> User:
        """The security administrator assigns a role.

        Raises
        ------
        DutyConflictError
            The account holds an administrator duty (it keeps it: one duty per account, and
            no duty-holder works in the workflow), or an administrator duty is given to an
            account that already has a role.
        """
        actor = self._actor(actor_id, Role.SECADMIN, "分配角色")
        new = _role(role)
        target = self.store.account_by_id(user_id)
        old = Role(target.role)
        if target.id == actor.id:
            raise PermissionDeniedError("不能为本人分配角色")
        if old is not new and old.is_admin_duty:
            raise DutyConflictError(f"“{target.name}”已承担{old.label}职责：一个账户只能承担一种"
                                    "管理员职责，也不能参与定密工作")
        if new.is_admin_duty and old not in (Role.NONE, new):
            raise DutyConflictError(f"“{target.name}”已有角色{old.label}：管理员职责只能授予"
                                    "尚未分配角色的新账户")
        with self.store.transaction() as tx:
            user = tx.update_user(user_id, role=new.value)
            tx.add_event("user_role", actor=actor, detail={"user_id": user_id,
                         "name": user.name, "from": old.value, "to": new.value})
        return user

    # --- the model's life cycle (issue 11 §7) ---

    def require_model_steward(self, actor_id: int) -> User:
        """The acting user, if their role may train, promote or roll back the model.

        Raises
        ------
        PermissionDeniedError
            Any other role (:data:`~classifier.workflow.states.MODEL_ROLES`).
        """
        actor = self.store.user(actor_id)
        if Role(actor.role) not in MODEL_ROLES:
            allowed = "、".join(r.label for r in sorted(MODEL_ROLES))
            raise PermissionDeniedError(
                f"{Role(actor.role).label}无权训练、启用或回退模型（仅限{allowed}）")
        return actor

    def record_model_event(self, actor_id: int, action: str, version: str,
                           files: dict[str, str], **detail: object) -> None:
        """Append a model event to the audit chain: who, which version, each file's sha256.

        Parameters
        ----------
        actor_id : int
            A user :meth:`require_model_steward` accepts.
        action : str
            ``model_train``, ``model_promote`` or ``model_rollback``.
        version : str
        files : dict of str -> str
            File name → sha256, as signed in the version's manifest.
        **detail
            More JSON-ready facts (``promoted``, ``signed``, ``reason``).
        """
        if action not in MODEL_EVENTS:
            raise UsageError(f"未知的模型事件 {action!r}")
        actor = self.require_model_steward(actor_id)
        with self.store.transaction() as tx:
            tx.add_event(action, actor=actor, detail={"version": version, "sha256": dict(files),
                                                      **detail})

    def has_admins(self) -> bool:
        """True when an active account holds an administrator duty."""
        with self.store.transaction() as tx:
            return tx.count_users(tuple(r.value for r in ADMIN_DUTIES)) > 0

    def init_admins(self, accounts: Sequence[tuple[str, Role | str, str]], *, force: bool = False,
                    reason: str = "") -> list[User]:
        """``dingmi admin init``: the first system administrator, security administrator and
        auditor, each with a first password to be changed at first login.

        Raises
        ------
        AdminExistsError
            Administrators exist already and ``force`` is not given.
        EmptyReasonError
            ``force`` without a reason (it is recorded).
        """
        roles = sorted(_role(r).value for _, r, _ in accounts)
        if roles != sorted(r.value for r in ADMIN_DUTIES):
            raise UsageError("须分别指定系统管理员、安全保密管理员、安全审计员各一名")
        if len({_name(n) for n, _, _ in accounts}) != len(accounts):
            raise DutyConflictError("三名管理员须为三个不同的账户")
        if force and not (reason or "").strip():
            raise EmptyReasonError("强制重新初始化管理员必须说明理由")
        hashes = [self.hash_password(_name(n), p) for n, _, p in accounts]
        with self.store.transaction() as tx:
            if tx.count_users(tuple(r.value for r in ADMIN_DUTIES)) and not force:
                raise AdminExistsError("数据库中已有管理员；如确需重新初始化，请加 --force 并说明理由")
            out = [tx.add_user(_name(n), _role(r).value, password_hash=h,
                               must_change_password=True)
                   for (n, r, _), h in zip(accounts, hashes, strict=True)]
            tx.add_event("admin_init", reason=(reason or "").strip(),
                         detail={"force": force,
                                 "accounts": [{"user_id": u.id, "name": u.name, "role": u.role}
                                              for u in out]})
        return out


#: The audit events of the model's life cycle.
MODEL_EVENTS = frozenset({"model_train", "model_promote", "model_rollback"})


def accounts_exist(settings: Settings) -> bool:
    """Whether the database of ``settings`` holds any account (a first install has none).

    The embedded SQLite file is not created when it does not exist yet. Until the first
    account exists, ``dingmi train`` and ``dingmi models promote|rollback`` need no credential
    (``make model`` on a fresh machine); after that they do.
    """
    if settings.database_url is None and not (Path(settings.home) / "dingmi.sqlite3").exists():
        return False
    store = Store.open(settings)
    try:
        return bool(store.users(include_inactive=True))
    finally:
        store.close()


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UsageError("用户名不能为空")
    return name


def _role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UsageError(f"角色 {role!r} 无效，应为 {', '.join(r.value for r in Role)}") from None


_DUMMY: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the account is unknown (same time either way)."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY[key]
