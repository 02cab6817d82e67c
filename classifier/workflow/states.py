"""Every rule of the workflow's states, once: roles, statuses, actions and their labels,
the transitions, and which pages each role sees.

A document moves ``uploaded → proposed → confirmed | overridden | escalated``, and an
escalated one ``→ decided``. A level above the office's 定密权限 goes ``→ referred``
(报请上级定密: handled at the proposed level until the superior's answer is recorded,
``→ decided``). A settled classification then has a life: the drafter proposes a change or a
declassification (``→ change_proposed``), the office checks it (``→ change_checked``), the
leading group approves (``→ changed`` or ``→ declassified``) or either refuses (back to the
status it came from); a period that ends declassifies the matter by itself
(``expire → declassified``). :data:`TRANSITIONS` is the state machine: nothing else changes a
document's status (a hypothesis state machine in ``tests/test_workflow.py`` runs over it).

Source: ../shared/docs/workflow.md (the regulation, section 五, 五(五) change and
declassification); ../shared/docs/law-notes.md (定密权限, declassification); issue 3 (§1,
§3, §4); issue 10 (each rule once); issue 12 (item 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user may do.

    The workflow roles (drafter, director, leading group) and the 机要 clerk, who keeps the
    register and its exports, work with documents. The three administrator duties (三员:
    system administrator, security administrator, auditor) never do: they manage accounts,
    assign roles, or read the audit record, and one account holds at most one of them.
    ``none``: an account the system administrator created, waiting for its role.
    """

    DRAFTER = "drafter"
    DIRECTOR = "director"
    LEADING_GROUP = "leading_group"
    CLERK = "clerk"
    SYSADMIN = "sysadmin"
    SECADMIN = "secadmin"
    AUDITOR = "auditor"
    NONE = "none"

    @property
    def label(self) -> str:
        """Chinese name shown in the UI."""
        return _ROLE_LABELS[self]

    @property
    def is_admin_duty(self) -> bool:
        """One of the three administrator duties (三员)."""
        return self in ADMIN_DUTIES


_ROLE_LABELS = {
    Role.DRAFTER: "承办人",
    Role.DIRECTOR: "办公室主任",
    Role.LEADING_GROUP: "保密领导小组",
    Role.CLERK: "机要员",
    Role.SYSADMIN: "系统管理员",
    Role.SECADMIN: "安全保密管理员",
    Role.AUDITOR: "安全审计员",
    Role.NONE: "未分配角色",
}

#: The three administrator duties (三员分立): none acts in the workflow or reads a document.
ADMIN_DUTIES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
#: Roles that may open a document's text (need to know narrows it further).
READER_ROLES = frozenset({Role.DRAFTER, Role.DIRECTOR, Role.LEADING_GROUP, Role.CLERK})
#: Roles that may read and export the register (台账).
REGISTER_ROLES = frozenset({Role.DIRECTOR, Role.LEADING_GROUP, Role.CLERK})


class Status(StrEnum):
    """Where a document is in the workflow."""

    UPLOADED = "uploaded"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"
    ESCALATED = "escalated"
    DECIDED = "decided"
    REFERRED = "referred"
    CHANGE_PROPOSED = "change_proposed"
    CHANGE_CHECKED = "change_checked"
    CHANGED = "changed"
    DECLASSIFIED = "declassified"

    @property
    def label(self) -> str:
        """Chinese name shown in the UI."""
        return _STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        """True when a person has settled the classification now in effect (a pending change
        or declassification leaves it in effect). A declassified matter is not: its level
        in effect (内部/公开) is not what its content was decided to be, so it never trains."""
        return self in LIVE_STATUSES

    @property
    def is_live(self) -> bool:
        """True when the classification in effect is settled and still in force: the
        statuses a change, a declassification or the end of the period starts from."""
        return self in LIVE_STATUSES


_STATUS_LABELS = {
    Status.UPLOADED: "已上传（未拟定）",
    Status.PROPOSED: "待审核",
    Status.CONFIRMED: "已确认",
    Status.OVERRIDDEN: "已变更",
    Status.ESCALATED: "报领导小组",
    Status.DECIDED: "已确定",
    Status.REFERRED: "报请上级定密",
    Status.CHANGE_PROPOSED: "变更（解密）待办公室审定",
    Status.CHANGE_CHECKED: "变更（解密）待领导小组审批",
    Status.CHANGED: "已变更密级或期限",
    Status.DECLASSIFIED: "已解密",
}

#: Settled and in force: what a change or declassification starts from, and what the end of
#: a secrecy period declassifies (a pending request leaves the classification in force).
LIVE_STATUSES = frozenset({Status.CONFIRMED, Status.OVERRIDDEN, Status.DECIDED, Status.CHANGED,
                           Status.CHANGE_PROPOSED, Status.CHANGE_CHECKED})
#: Statuses from which a change or declassification may be proposed (none pending).
SETTLED_STATUSES = frozenset({Status.CONFIRMED, Status.OVERRIDDEN, Status.DECIDED,
                              Status.CHANGED})

#: Status values in which a person has settled the classification: only these train a model.
FINAL_STATUSES: tuple[str, ...] = tuple(s.value for s in Status if s.is_final)


class Action(StrEnum):
    """The verbs that change a document's status."""

    PROPOSE = "propose"
    CONFIRM = "confirm"
    OVERRIDE = "override"
    ESCALATE = "escalate"
    DECIDE = "decide"
    REFER = "refer"
    RECORD_SUPERIOR = "superior"
    REQUEST_CHANGE = "request_change"
    CHECK_CHANGE = "check_change"
    REJECT_CHANGE = "reject_change"
    APPROVE_CHANGE = "approve_change"
    DECLASSIFY = "declassify"
    EXPIRE = "expire"


#: Chinese names of the actions (buttons, refusals, the register's 审定方式).
ACTION_LABELS = {
    Action.PROPOSE: "拟定密级",
    Action.CONFIRM: "确认",
    Action.OVERRIDE: "改定",
    Action.ESCALATE: "报领导小组",
    Action.DECIDE: "领导小组决定",
    Action.REFER: "报请上级定密",
    Action.RECORD_SUPERIOR: "录入上级定密决定",
    Action.REQUEST_CHANGE: "提出变更或解密",
    Action.CHECK_CHANGE: "办公室审定变更",
    Action.REJECT_CHANGE: "不同意变更",
    Action.APPROVE_CHANGE: "领导小组批准变更",
    Action.DECLASSIFY: "领导小组批准解密",
    Action.EXPIRE: "期满自行解密",
}

#: Chinese names of the audit log's actions (``events.action``) on the register page.
EVENT_LABELS = {
    "upload": "上传",
    "reopen": "重复上传（打开原记录）",
    "login": "登录",
    "login_failed": "登录失败",
    "account_locked": "账户锁定",
    "logout": "退出登录",
    "session_expired": "会话超时",
    "password_change": "修改口令",
    "password_reset": "重置口令",
    "user_add": "添加用户",
    "user_role": "分配角色",
    "user_disable": "停用用户",
    "user_unlock": "解除锁定",
    "token_create": "创建令牌",
    "token_revoke": "吊销令牌",
    "admin_init": "初始化管理员",
    "read_secret": "查阅涉密文件",
    "export": "导出台账",
    "mark_copy": "制作标志件",
    "approval_form": "生成定密审批表",
    "audit_verify": "校验审计记录",
    "model_promote": "启用模型",
    "model_train": "训练模型",
    "model_rollback": "回退模型",
    "catalogue_edit": "处理保密事项范围修改建议",
    "backup": "备份数据",
    "restore": "恢复数据",
    "restore_replace": "以备份替换数据",
    "judge": "独立判断（盲评）",
    **{a.value: ACTION_LABELS[a] for a in Action},
    Action.PROPOSE.value: "拟定",
}


@dataclass(frozen=True)
class Transition:
    """Which statuses an action starts from, where it leads, and who may perform it.

    ``target`` is None for an action that returns the document to the status it had before
    (a refused change goes back to the settled status the request started from).
    """

    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]


#: The state machine. Nothing else changes a document's status.
TRANSITIONS: dict[Action, Transition] = {
    Action.PROPOSE: Transition(
        frozenset({Status.UPLOADED}), Status.PROPOSED, frozenset({Role.DRAFTER, Role.DIRECTOR})
    ),
    Action.CONFIRM: Transition(
        frozenset({Status.PROPOSED}), Status.CONFIRMED, frozenset({Role.DIRECTOR})
    ),
    Action.OVERRIDE: Transition(
        frozenset({Status.PROPOSED}), Status.OVERRIDDEN, frozenset({Role.DIRECTOR})
    ),
    Action.ESCALATE: Transition(
        frozenset({Status.PROPOSED}), Status.ESCALATED, frozenset({Role.DIRECTOR})
    ),
    Action.DECIDE: Transition(
        frozenset({Status.ESCALATED}), Status.DECIDED, frozenset({Role.LEADING_GROUP})
    ),
    # 定密权限: above the office's authority, protected at once and reported to a superior.
    Action.REFER: Transition(
        frozenset({Status.PROPOSED, Status.ESCALATED, Status.CHANGE_CHECKED}), Status.REFERRED,
        frozenset({Role.DIRECTOR, Role.LEADING_GROUP})
    ),
    Action.RECORD_SUPERIOR: Transition(
        frozenset({Status.REFERRED}), Status.DECIDED,
        frozenset({Role.DIRECTOR, Role.LEADING_GROUP})
    ),
    # 五(五)3: the drafter proposes, the office checks, the leading group approves.
    Action.REQUEST_CHANGE: Transition(
        SETTLED_STATUSES, Status.CHANGE_PROPOSED, frozenset({Role.DRAFTER})
    ),
    Action.CHECK_CHANGE: Transition(
        frozenset({Status.CHANGE_PROPOSED}), Status.CHANGE_CHECKED, frozenset({Role.DIRECTOR})
    ),
    Action.REJECT_CHANGE: Transition(
        frozenset({Status.CHANGE_PROPOSED, Status.CHANGE_CHECKED}), None,
        frozenset({Role.DIRECTOR, Role.LEADING_GROUP})
    ),
    Action.APPROVE_CHANGE: Transition(
        frozenset({Status.CHANGE_CHECKED}), Status.CHANGED, frozenset({Role.LEADING_GROUP})
    ),
    Action.DECLASSIFY: Transition(
        frozenset({Status.CHANGE_CHECKED}), Status.DECLASSIFIED, frozenset({Role.LEADING_GROUP})
    ),
    # 五(五)1 自行解密: run by whoever keeps the register (the app and ``dingmi records expire``).
    Action.EXPIRE: Transition(
        LIVE_STATUSES, Status.DECLASSIFIED,
        frozenset({Role.DIRECTOR, Role.LEADING_GROUP, Role.CLERK})
    ),
}
#: Who may upload a file (the same people who may propose).
UPLOAD_ROLES = TRANSITIONS[Action.PROPOSE].roles
#: Review actions, which the proposal's own author may not take.
REVIEW_ACTIONS = frozenset({Action.CONFIRM, Action.OVERRIDE, Action.ESCALATE, Action.REFER,
                            Action.CHECK_CHANGE})
#: Actions that settle a classification: each records the date of issue and, for a secret,
#: allocates the register number in its transaction.
SETTLING_ACTIONS = frozenset({Action.CONFIRM, Action.OVERRIDE, Action.DECIDE,
                              Action.RECORD_SUPERIOR, Action.APPROVE_CHANGE})
#: Who may download marked copies and approval forms (need to know narrows it further).
MARK_ROLES = frozenset({Role.DRAFTER, Role.DIRECTOR, Role.LEADING_GROUP, Role.CLERK})
#: Who may start a retraining from the model page.
RETRAIN_ROLES = frozenset({Role.DIRECTOR})
#: Who may train, promote or roll back the model on the command line (as the model page).
MODEL_ROLES = RETRAIN_ROLES


class Page(StrEnum):
    """The app's pages (``app_pages/<value>.py``)."""

    DRAFT = "draft"
    REVIEW = "review"
    LEADING_GROUP = "leading_group"
    RECORDS = "records"
    MODEL = "model"
    OVERVIEW = "overview"
    ACCOUNTS = "accounts"
    AUDIT = "audit"


#: Need to know (知悉范围): each role sees only the pages of its own work, its start page
#: first. A drafter never sees the review queue or the register, where other people's drafts are.
PAGE_ACCESS: dict[Role, tuple[Page, ...]] = {
    Role.DRAFTER: (Page.DRAFT,),
    Role.DIRECTOR: (Page.REVIEW, Page.DRAFT, Page.RECORDS, Page.MODEL, Page.OVERVIEW),
    Role.LEADING_GROUP: (Page.LEADING_GROUP, Page.OVERVIEW, Page.RECORDS, Page.MODEL),
    Role.CLERK: (Page.RECORDS,),
    Role.SYSADMIN: (Page.ACCOUNTS,),
    Role.SECADMIN: (Page.ACCOUNTS,),
    Role.AUDITOR: (Page.AUDIT,),
    Role.NONE: (),
}
