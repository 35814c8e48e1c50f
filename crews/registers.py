"""The staff register (crews and their workers) and the list of every importable register by kind.

A worker is found by staff number (工号) or, without one, by phone; a new worker gets a staff account whose
login is the staff number (or the phone) and no usable password until an administrator sets one. A crew is
found by name and created, with the trade given in the row, when the base has none of that name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from residents.models import AuditEntry
from residents.registers import FacilitiesRegister, PlacesRegister
from residents.services import audit_entry, record_audits
from residents.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    Layout,
    Plan,
    Register,
    Row,
    RowError,
    require_columns,
    split_phones,
    valid_phone,
    yes_no,
)

from .choices import CrewKind, Role, WorkerRole
from .models import Crew, Worker

CREW_KIND_WORDS = {
    "维修": CrewKind.MAINTENANCE,
    "小区维修": CrewKind.MAINTENANCE,
    "维修班": CrewKind.MAINTENANCE,
    "电工": CrewKind.ELECTRICAL,
    "电气": CrewKind.ELECTRICAL,
    "供电": CrewKind.ELECTRICAL,
    "排污": CrewKind.DRAINAGE,
    "排水": CrewKind.DRAINAGE,
    "供水": CrewKind.WATER,
    "给水": CrewKind.WATER,
    "水暖": CrewKind.WATER,
}
ROLE_WORDS = {
    "班组长": WorkerRole.LEADER,
    "组长": WorkerRole.LEADER,
    "班长": WorkerRole.LEADER,
    "leader": WorkerRole.LEADER,
    "维修工": WorkerRole.MEMBER,
    "组员": WorkerRole.MEMBER,
    "员工": WorkerRole.MEMBER,
    "工人": WorkerRole.MEMBER,
    "member": WorkerRole.MEMBER,
    "worker": WorkerRole.MEMBER,
}
ROLE_LABELS = {WorkerRole.LEADER: "班组长", WorkerRole.MEMBER: "维修工"}
ROLE_GROUPS = {WorkerRole.LEADER: Role.CREW_LEADER, WorkerRole.MEMBER: Role.WORKER}


def crew_kinds() -> dict[str, str]:
    words = dict(CREW_KIND_WORDS)
    for choice in CrewKind:
        words[choice.value] = choice.value
        with translation.override("zh-hans"):
            words[str(choice.label)] = choice.value
    return words


@dataclass
class StaffRow:
    row: Row
    staff_number: str
    name: str
    phone: str | None
    crew: str
    kind: str | None
    role: str | None
    skills: str | None
    active: bool | None

    @property
    def key(self) -> str:
        return self.staff_number or self.phone or ""


@dataclass
class StaffState:
    present: set[str]
    crews: dict[str, Crew]
    planned_crews: dict[str, str] = field(default_factory=dict)  # new crew name → kind
    seen: dict[str, int] = field(default_factory=dict)


class StaffRegister(Register):
    kind = "staff"
    label = gettext_lazy("Staff and crews")
    sheet_title = "员工名单"
    columns = (
        Column("staff_number", "工号", ("员工编号", "职工号", "编号", "员工号"), "G0101", 10),
        Column("name", "姓名", ("员工姓名", "名字", "职工姓名"), "李建国", 12),
        Column("phone", "电话", ("手机", "手机号", "手机号码", "联系电话", "电话号码"), "13900139000", 16),
        Column("crew", "班组", ("所在班组", "班组名称", "部门", "所属班组"), "供水班", 14),
        Column("kind", "工种", ("专业", "班组类型", "类别", "班组工种"), "供水", 10),
        Column("role", "职务", ("岗位", "角色", "职位"), "维修工", 10),
        Column("skills", "技能", ("特长", "技能特长", "专长"), "管道焊接", 20),
        Column("active", "在岗", ("状态", "是否在岗", "在职"), "是", 8),
    )

    def check_layout(self, layout: Layout) -> None:
        require_columns(layout, self, ("name", "staff_number", "crew"), ("name", "phone", "crew"))

    def start(self, layout: Layout) -> StaffState:
        return StaffState(set(layout.index), {c.name: c for c in Crew.objects.all()})

    def parse(self, row: Row, state: StaffState, kinds: dict[str, str]) -> StaffRow | RowError:
        """The row cleaned, or what is wrong with it."""
        problem = None
        staff_number, name, crew = row.get("staff_number"), row.get("name"), row.get("crew")
        phones = split_phones(row.get("phone"))
        if not name:
            problem = self._error(row, "name", _("The name is missing."))
        elif len(name) > 40:
            problem = self._error(row, "name", _("The name is longer than 40 characters."))
        elif len(staff_number) > 20:
            problem = self._error(row, "staff_number", _("The staff number is longer than 20 characters."))
        elif len(phones) > 1:
            problem = self._error(row, "phone", _("Give one phone number per staff member."))
        elif phones and not valid_phone(phones[0]):
            problem = self._error(
                row,
                "phone",
                _("The phone number %(phone)s has the wrong number of digits.") % {"phone": phones[0]},
            )
        elif not staff_number and not phones:
            problem = self._error(row, "staff_number", _("Give a staff number or a phone number."))
        elif not crew:
            problem = self._error(row, "crew", _("The crew is missing."))
        if problem:
            return problem
        kind = None
        if row.get("kind"):
            kind = kinds.get(row.get("kind").lower())
            if kind is None:
                return self._error(
                    row,
                    "kind",
                    _("The trade %(value)s is unknown; write 小区维修, 电工, 排污 or 供水.")
                    % {"value": row.get("kind")},
                )
        existing = state.crews.get(crew)
        planned = state.planned_crews.get(crew)
        if existing is None and planned is None:
            if kind is None:
                return self._error(
                    row, "kind", _("The crew %(crew)s is new: give its trade (工种).") % {"crew": crew}
                )
            state.planned_crews[crew] = kind
        elif kind and kind != (existing.kind if existing else planned):
            return self._error(row, "kind", _("The crew %(crew)s is of another trade.") % {"crew": crew})
        role = None
        if row.get("role"):
            role = ROLE_WORDS.get(row.get("role").lower())
            if role is None:
                return self._error(
                    row, "role", _("The role %(value)s is not 班组长 or 维修工.") % {"value": row.get("role")}
                )
        active = None
        if row.get("active"):
            active = yes_no(row.get("active"))
            if active is None:
                return self._error(row, "active", _("Write 是 or 否."))
        skills = row.get("skills") if "skills" in state.present else None
        if skills and len(skills) > 200:
            return self._error(row, "skills", _("The skills are longer than 200 characters."))
        parsed = StaffRow(
            row, staff_number, name, phones[0] if phones else None, crew, kind, role, skills, active
        )
        first = state.seen.get(parsed.key)
        if first is not None:
            return self._error(
                row,
                "staff_number" if staff_number else "phone",
                _("The same as row %(row)s.") % {"row": f"{first:,}"},
            )
        state.seen[parsed.key] = row.number
        return parsed

    def plan(self, rows: Sequence[Row], state: StaffState, *, writing: bool) -> Plan:
        result = Plan(writes={"new": [], "changed": []})
        kinds = crew_kinds()
        parsed: list[StaffRow] = []
        for row in rows:
            item = self.parse(row, state, kinds)
            if isinstance(item, RowError):
                result.errors.append(item)
            else:
                parsed.append(item)
        numbers = {p.staff_number for p in parsed if p.staff_number}
        phones = {p.phone for p in parsed if p.phone}
        workers = list(
            Worker.objects.filter(Q(staff_number__in=numbers) | Q(phone__in=phones))
            .select_related("crew")
            .order_by("id")
        )
        by_number = {w.staff_number: w for w in workers if w.staff_number}
        by_phone: dict[str, Worker] = {}
        for w in workers:
            by_phone.setdefault(w.phone, w)
        logins = {p.staff_number or p.phone for p in parsed}
        taken = set(get_user_model().objects.filter(username__in=logins).values_list("username", flat=True))
        for item in parsed:
            worker = by_number.get(item.staff_number) if item.staff_number else None
            if worker is None and item.phone:
                candidate = by_phone.get(item.phone)
                if candidate is not None and (not item.staff_number or not candidate.staff_number):
                    worker = candidate
            if worker is None:
                login = item.staff_number or item.phone
                if login in taken:
                    result.errors.append(
                        self._error(
                            item.row,
                            "staff_number" if item.staff_number else "phone",
                            _("The login %(login)s is already used by another account.") % {"login": login},
                        )
                    )
                    continue
                result.writes["new"].append(item)
                result.outcomes.append((item.row, CREATE))
                continue
            changes = self._changes(worker, item, state)
            if changes:
                result.writes["changed"].append((worker, item, changes))
                result.outcomes.append((item.row, UPDATE))
            else:
                result.outcomes.append((item.row, UNCHANGED))
        return result

    @staticmethod
    def _changes(worker: Worker, item: StaffRow, state: StaffState) -> dict[str, list]:
        changes: dict[str, list] = {}
        if worker.name != item.name:
            changes["name"] = [worker.name, item.name]
        if item.staff_number and worker.staff_number != item.staff_number:
            changes["staff_number"] = [worker.staff_number, item.staff_number]
        if item.phone and worker.phone != item.phone:
            changes["phone"] = [worker.phone, item.phone]
        if worker.crew.name != item.crew:
            changes["crew"] = [worker.crew.name, item.crew]
        if item.role and worker.role != item.role:
            changes["role"] = [worker.role, item.role]
        if item.skills is not None and worker.skills != item.skills:
            changes["skills"] = [worker.skills, item.skills]
        if item.active is not None and worker.active != item.active:
            changes["active"] = [worker.active, item.active]
        return changes

    def _crew(self, name: str, state: StaffState, audits: list, actor) -> Crew:
        crew = state.crews.get(name)
        if crew is None:
            crew = Crew.objects.create(name=name, kind=state.planned_crews[name])
            state.crews[name] = crew
            audits.append(
                audit_entry(
                    actor=actor,
                    obj=crew,
                    action=AuditEntry.Action.ADD,
                    changes={"name": [None, name], "kind": [None, crew.kind]},
                )
            )
        return crew

    def apply(self, plan: Plan, state: StaffState, *, actor) -> None:
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
        audits: list = []
        new: list[StaffRow] = plan.writes["new"]
        users = User.objects.bulk_create(
            [
                User(
                    username=item.staff_number or item.phone,
                    first_name=item.name,
                    password=make_password(None),
                )
                for item in new
            ]
        )
        workers = [
            Worker(
                user=user,
                crew=self._crew(item.crew, state, audits, actor),
                name=item.name,
                staff_number=item.staff_number,
                phone=item.phone or "",
                role=item.role or WorkerRole.MEMBER,
                skills=item.skills or "",
                active=True if item.active is None else item.active,
            )
            for user, item in zip(users, new, strict=True)
        ]
        Worker.objects.bulk_create(workers)
        memberships = [
            User.groups.through(user_id=w.user_id, group_id=groups[ROLE_GROUPS[w.role]].id)
            for w in workers
            if ROLE_GROUPS[w.role] in groups
        ]
        audits += [
            audit_entry(
                actor=actor,
                obj=w,
                action=AuditEntry.Action.ADD,
                changes={
                    "name": [None, w.name],
                    "staff_number": [None, w.staff_number],
                    "phone": [None, w.phone],
                    "crew": [None, w.crew.name],
                    "role": [None, w.role],
                },
            )
            for w in workers
        ]
        fields = ("name", "staff_number", "phone", "role", "skills", "active")
        changed_workers = []
        role_moves: list[tuple[Worker, str]] = []
        for worker, item, changes in plan.writes["changed"]:
            for name in fields:
                if name in changes:
                    setattr(worker, name, changes[name][1])
            if "crew" in changes:
                worker.crew = self._crew(item.crew, state, audits, actor)
            if "role" in changes:
                role_moves.append((worker, changes["role"][0]))
            changed_workers.append(worker)
            audits.append(
                audit_entry(actor=actor, obj=worker, action=AuditEntry.Action.CHANGE, changes=changes)
            )
        Worker.objects.bulk_update(changed_workers, [*fields, "crew"])
        for worker, old_role in role_moves:
            old_group = groups.get(ROLE_GROUPS[old_role])
            if old_group:
                User.groups.through.objects.filter(user_id=worker.user_id, group_id=old_group.id).delete()
            new_group = groups.get(ROLE_GROUPS[worker.role])
            if new_group:
                memberships.append(User.groups.through(user_id=worker.user_id, group_id=new_group.id))
        User.groups.through.objects.bulk_create(memberships, ignore_conflicts=True)
        record_audits(audits)

    def export_rows(self) -> Iterator[list[Any]]:
        with translation.override("zh-hans"):
            kinds = {c.value: str(c.label) for c in CrewKind}
        for w in Worker.objects.select_related("crew").order_by(
            "crew__kind", "crew__name", "-role", "name", "id"
        ):
            yield [
                w.staff_number,
                w.name,
                w.phone,
                w.crew.name,
                kinds.get(w.crew.kind, w.crew.kind),
                ROLE_LABELS.get(w.role, w.role),
                w.skills,
                "是" if w.active else "否",
            ]


REGISTERS: dict[str, Register] = {
    register.kind: register for register in (PlacesRegister(), StaffRegister(), FacilitiesRegister())
}
