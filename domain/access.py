"""Who may do what: staff roles, the pages and data each role may reach, and the scope derived from
a signed-in account. Pure rules (no Streamlit, no SQL), so the dashboard's navigation, the query
layer and the tests read the same table.

等保 2.0 level 3 asks for least privilege with separated administrators: the system administrator
manages accounts and settings, the security administrator roles and permissions, the security
auditor reads the audit log; none of the three sees case data and no account holds two of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.scope import Scope

# Role codes as stored (``user_role.role``), with their Chinese names.
LEADER, PROSECUTOR, SUPERVISION, PIL, DATA = "leader", "prosecutor", "supervision", "pil", "data"
SYSADMIN, SECADMIN, AUDITOR = "sysadmin", "secadmin", "auditor"

ROLE_NAMES: dict[str, tuple[str, str]] = {
    LEADER: ("院领导", "Leadership"),
    PROSECUTOR: ("检察官", "Prosecutor"),
    SUPERVISION: ("监管", "Supervision officer"),
    PIL: ("公益诉讼", "Public-interest litigation"),
    DATA: ("数据管理员", "Data steward"),
    SYSADMIN: ("系统管理员", "System administrator"),
    SECADMIN: ("安全管理员", "Security administrator"),
    AUDITOR: ("安全审计员", "Security auditor"),
}
STAFF_ROLES = tuple(ROLE_NAMES)
ADMIN_ROLES = frozenset({SYSADMIN, SECADMIN, AUDITOR})

# What each role may do. A permission names an area of the product; the query layer checks the
# same names (``queries.access.require``), so a page that forgets to check still gets nothing.
# Issue 13: "clues" opens the legal-supervision clue list and the models' efficacy (each clue is
# shown only to an account holding its model's own permission), "models" changes, exports and
# imports model definitions, "catalogue" reads the data catalogue and the data-quality checks.
PERMISSIONS: dict[str, frozenset[str]] = {
    LEADER: frozenset({"home", "stats", "cases", "sentencing", "rivers", "supervision.stats", "bindings",
                       "public", "clues", "models", "catalogue"}),
    PROSECUTOR: frozenset({"home", "stats", "cases", "sentencing", "bindings", "public", "clues"}),
    SUPERVISION: frozenset({"home", "supervision", "supervision.stats", "public", "clues"}),
    PIL: frozenset({"home", "rivers", "rivers.clues", "public", "clues"}),
    DATA: frozenset({"home", "import", "public", "models", "catalogue"}),
    SYSADMIN: frozenset({"home", "accounts", "screens"}),
    SECADMIN: frozenset({"roles"}),
    AUDITOR: frozenset({"audit"}),
}

# Every dashboard page (its url path) and the permission that opens it. The dashboard's navigation
# is built from this table; a test holds it equal to the files in ``pages/``.
PAGE_PERMISSION: dict[str, str] = {
    "home": "home",
    "stats_overview": "stats",
    "stats_districts": "stats",
    "stats_drilldown": "cases",
    "stats_watch": "cases",
    "rivers_map": "rivers",
    "river_detail": "rivers",
    "river_cases": "rivers",
    "sentencing_ruler": "sentencing",
    "sentencing_public": "public",
    "supervision_people": "supervision",
    "supervision_map": "supervision",
    "supervision_track": "supervision",
    "supervision_leave": "supervision",
    "supervision_rollcall": "supervision",
    "supervision_alerts": "supervision",
    "supervision_devices": "supervision",
    "supervision_stats": "supervision.stats",
    "audit_log": "audit",
    "data_import": "import",
    "portal_bindings_review": "bindings",
    "accounts": "accounts|roles",
    "screen_keys": "screens",
    "clues": "clues",
    "model_library": "models",
    "data_catalogue": "catalogue",
    "data_quality": "catalogue",
    "model_efficacy": "clues",
}


class AccessDenied(PermissionError):
    """The signed-in account may not do this. Pages show "无权访问"; the attempt is audited."""


def role_conflict(roles: frozenset[str] | set[str] | tuple[str, ...]) -> str | None:
    """Why this set of roles may not be held by one account, or None if it may."""
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        return f"未知角色：{'、'.join(sorted(unknown))}"
    admins = set(roles) & ADMIN_ROLES
    if len(admins) > 1:
        return "系统管理员、安全管理员、安全审计员三种管理角色须由不同账号担任（等保三级权限分离）"
    if admins and set(roles) - ADMIN_ROLES:
        return "管理角色不得兼任业务角色（管理员不接触案件数据）"
    if not roles:
        return "账号至少需要一个角色"
    return None


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member, as every page and query sees them. Built only by
    ``queries.accounts`` from the database, never from a URL or a widget."""

    user_id: int
    username: str
    display_name: str
    procuratorate_id: int
    procuratorate: str  # its name, for the audit log
    district_id: int | None  # None: a city-level procuratorate (sees every district)
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "password"  # password / sso

    @property
    def permissions(self) -> frozenset[str]:
        out: set[str] = set()
        for r in self.roles:
            out |= PERMISSIONS.get(r, frozenset())
        return frozenset(out)

    def may(self, permission: str) -> bool:
        """``a|b`` is satisfied by either permission."""
        return any(p in self.permissions for p in permission.split("|"))

    def may_open(self, page: str) -> bool:
        need = PAGE_PERMISSION.get(page)
        return need is not None and self.may(need)

    @property
    def district_ids(self) -> tuple[int, ...] | None:
        return None if self.district_id is None else (self.district_id,)

    @property
    def role_label(self) -> str:
        """The roles as the audit log records them: 检察官/院领导."""
        return "/".join(ROLE_NAMES[r][0] for r in STAFF_ROLES if r in self.roles) or "无角色"

    def scope(self, area: str) -> Scope:
        """The one place a scope is derived from an account: the procuratorate's districts, and the
        role the query layer checks for ``area`` (a permission name). No permission, no scope."""
        if not self.may(area):
            raise AccessDenied(f"{self.username} 无权访问 {area}")
        role = {"supervision": "supervision", "cases": "prosecutor" if PROSECUTOR in self.roles else "leader",
                "rivers.clues": "pil"}.get(area, "leader")
        # The user id rides along only where rows depend on it (a prosecutor's own cases, an
        # officer's actions), so aggregates stay shared between accounts in the result cache.
        uid = self.user_id if area in ("cases", "supervision", "rivers.clues", "bindings") else None
        return Scope(self.district_ids, role=role, user_id=uid, grants=self.permissions)


def first_page(staff: Staff) -> str | None:
    """Where a role lands after signing in: the first page of the table it may open."""
    return next((p for p in PAGE_PERMISSION if staff.may_open(p)), None)


@dataclass(frozen=True)
class Actor:
    """Who did something, as the audit log records it: the real signed-in account (or a screen
    device, a portal user, the operator's command line), its role and procuratorate, and the client
    address (behind a proxy, the one it forwards, from a trusted proxy only)."""

    name: str
    role: str
    procuratorate: str | None = None
    client_addr: str | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, staff: Staff, client_addr: str | None = None) -> "Actor":
        return cls(staff.username, staff.role_label, staff.procuratorate, client_addr, staff.user_id)


OPERATOR = Actor("cli", "运维（命令行）")  # the host's own command line: whoever can run it owns the data
