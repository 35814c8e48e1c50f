"""The places-and-residents and the facilities registers: how a spreadsheet row maps onto rooms, residents,
residencies and facilities, planned in bulk per batch (a few queries whatever the batch size) and applied with
bulk writes, each change audited.

Natural keys make an import idempotent: a room is its address (district, building, unit, room numbers), a
resident their first phone and name, a residency the pair, a facility its district and name. Only the columns
present in the file are compared and written, so a file without 备注 never wipes the notes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import FacilityKind, Relation
from .models import AuditEntry, Building, District, Facility, Residency, Resident, Room, Unit
from .selectors import AddressError, mask_phone, parse_address
from .services import audit_entry, audit_value, record_audits
from .tabular import Column, FileProblem, Layout, Row, RowError, number_of, split_phones, valid_phone

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"

RoomKey = tuple[int, int, int, str]
PersonKey = tuple[str, str]


@dataclass
class Plan:
    """One batch, planned: each row's outcome (create/update/unchanged) or its error, and what to write."""

    outcomes: list[tuple[Row, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    writes: Any = None

    def count(self, outcome: str) -> int:
        return sum(1 for _row, o in self.outcomes if o == outcome)


class Register:
    """What every register declares; `crews.registers.REGISTERS` lists them by kind."""

    kind: str
    label: Any
    columns: tuple[Column, ...]
    sheet_title: str

    def check_layout(self, layout: Layout) -> None:  # raise FileProblem when a required column is missing
        raise NotImplementedError

    def start(self, layout: Layout) -> Any:
        raise NotImplementedError

    def plan(self, rows: Sequence[Row], state: Any, *, writing: bool) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan, state: Any, *, actor) -> None:
        raise NotImplementedError

    def moved_out(self, state: Any) -> list[dict[str, Any]]:
        return []

    def end_residencies(self, ids: Sequence[int], *, actor) -> int:
        return 0

    def export_rows(self) -> Iterator[list[Any]]:
        raise NotImplementedError

    @property
    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_template]

    def example_row(self) -> list[Any]:
        return [c.example for c in self.template_columns]

    def header_of(self, key: str) -> str:
        return next((c.header for c in self.columns if c.key == key), key)

    def _error(self, row: Row, key: str, message: str) -> RowError:
        return RowError(row.number, self.header_of(key), message)


def _require(layout: Layout, register: Register, *alternatives: tuple[str, ...]) -> None:
    """Each alternative is a set of columns that together suffice; one of them must be present whole."""
    if any(all(key in layout.index for key in keys) for keys in alternatives):
        return
    wanted = _(" or ").join("、".join(register.header_of(k) for k in keys) for keys in alternatives)
    raise FileProblem(_("The file has no column for %(columns)s.") % {"columns": wanted})


def _too_long(value: str, limit: int) -> bool:
    return len(value) > limit


# --- Places and residents ----------------------------------------------------------------------------------


RELATIONS = {
    "owner": Relation.OWNER,
    "户主": Relation.OWNER,
    "业主": Relation.OWNER,
    "产权人": Relation.OWNER,
    "房主": Relation.OWNER,
    "本人": Relation.OWNER,
    "tenant": Relation.TENANT,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "承租人": Relation.TENANT,
    "family": Relation.FAMILY,
    "家属": Relation.FAMILY,
    "家庭成员": Relation.FAMILY,
    "同住": Relation.FAMILY,
    "配偶": Relation.FAMILY,
    "子女": Relation.FAMILY,
    "父母": Relation.FAMILY,
}


@dataclass
class Person:
    name: str
    phone: str
    alt_phone: str | None  # None: the file says nothing about it
    notes: str | None
    relation: str | None

    @property
    def key(self) -> PersonKey:
        return (self.phone, self.name)


@dataclass
class Place:
    row: Row
    room: RoomKey
    floor: int | None
    person: Person | None


@dataclass
class PlacesState:
    present: set[str]
    districts: dict[int, District]
    buildings: dict[tuple[int, int], Building]
    units: dict[tuple[int, int, int], Unit]
    seen: dict[tuple[RoomKey, PersonKey | None], int] = field(default_factory=dict)
    people_in_file: dict[RoomKey, set[PersonKey]] = field(default_factory=dict)
    # A row with an error may still name someone: their room and phones are never called moved out.
    unsure_rooms: set[RoomKey] = field(default_factory=set)
    unsure_phones: set[str] = field(default_factory=set)


@dataclass
class PlacesWrites:
    rooms: dict[RoomKey, tuple[int, int, str]] = field(default_factory=dict)  # existing: id, floor, label
    residents: dict[PersonKey, int] = field(default_factory=dict)  # existing: id
    new_rooms: dict[RoomKey, Room] = field(default_factory=dict)
    room_floors: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # id: label, before, after
    new_residents: dict[PersonKey, Resident] = field(default_factory=dict)
    resident_changes: dict[int, tuple[Person, dict[str, list]]] = field(default_factory=dict)
    new_residencies: list[tuple[RoomKey, PersonKey, str]] = field(default_factory=list)
    residency_changes: dict[int, tuple[str, str, str]] = field(
        default_factory=dict
    )  # id: label, before, after


ADDRESS_PARTS = (
    ("district", gettext_lazy("district")),
    ("building", gettext_lazy("building")),
    ("unit", gettext_lazy("unit")),
    ("room", gettext_lazy("room number")),
)


def _floor_of(number: str) -> int:
    """302 → 3, 1102 → 11: the usual numbering; a one- or two-digit room is on the ground floor."""
    return int(number) // 100 if len(number) >= 3 else 1


class PlacesRegister(Register):
    kind = "places_residents"
    label = gettext_lazy("Places and residents")
    sheet_title = "房屋住户"
    columns = (
        Column("district", "区", ("小区", "区号", "片区"), 5, 8),
        Column("building", "栋", ("楼", "楼号", "栋号", "楼栋", "幢", "号楼"), 37, 8),
        Column("unit", "单元", ("单元号", "门", "门洞"), 1, 8),
        Column("room", "室", ("房号", "室号", "门牌号", "房间号", "户号", "房间"), 302, 8),
        Column(
            "address", "地址", ("住址", "房屋地址", "详细地址", "门牌", "家庭住址", "房屋"), "", 22, False
        ),
        Column("floor", "楼层", ("层", "所在楼层"), 3, 8),
        Column("name", "姓名", ("户主", "户主姓名", "住户", "住户姓名", "联系人", "名字"), "王秀英", 12),
        Column(
            "phone",
            "电话",
            ("手机", "手机号", "手机号码", "联系电话", "电话号码", "联系方式"),
            "13800138000",
            16,
        ),
        Column(
            "alt_phone", "其他电话", ("备用电话", "电话2", "第二电话", "固话", "座机", "其它电话"), "", 16
        ),
        Column("relation", "关系", ("与户主关系", "居住关系", "身份", "户主关系"), "户主", 8),
        Column("notes", "备注", ("说明", "情况", "备注说明"), "独居老人", 20),
    )

    def check_layout(self, layout: Layout) -> None:
        _require(layout, self, ("address",), ("district", "building", "unit", "room"))

    def start(self, layout: Layout) -> PlacesState:
        districts = {d.number: d for d in District.objects.all()}
        by_district_id = {d.id: d.number for d in districts.values()}
        buildings = {
            (by_district_id[b.district_id], b.number): b
            for b in Building.objects.only("id", "district_id", "number", "label")
        }
        by_building_id = {b.id: key for key, b in buildings.items()}
        units = {
            (*by_building_id[u.building_id], u.number): u
            for u in Unit.objects.only("id", "building_id", "number", "label")
        }
        return PlacesState(set(layout.index), districts, buildings, units)

    # Parsing one row ------------------------------------------------------------------------------------

    def _address(self, row: Row) -> RoomKey | RowError:
        text = row.get("address")
        if text:
            try:
                parts = parse_address(text)
            except AddressError as exc:
                return self._error(row, "address", exc.message)
        else:
            numbers = []
            for key, label in ADDRESS_PARTS:
                n = number_of(row.get(key))
                if n is None:
                    what = str(label)
                    message = (
                        _("The %(part)s is missing.") % {"part": what}
                        if not row.get(key)
                        else _("The %(part)s %(value)s is not a number.")
                        % {"part": what, "value": row.get(key)}
                    )
                    return self._error(row, key, message)
                numbers.append(n)
            return (numbers[0], numbers[1], numbers[2], str(numbers[3]))
        return (parts.district, parts.building, parts.unit, parts.room)

    def _person(self, row: Row, present: set[str]) -> Person | RowError | None:
        name = row.get("name")
        phones = split_phones(row.get("phone")) + split_phones(row.get("alt_phone"))
        if not name and not phones:
            return None
        if not name:
            return self._error(row, "name", _("The name is missing."))
        if _too_long(name, 40):
            return self._error(row, "name", _("The name is longer than 40 characters."))
        if not phones:
            return self._error(row, "phone", _("The phone number is missing."))
        for phone in phones:
            if not valid_phone(phone):
                return self._error(
                    row,
                    "phone",
                    _("The phone number %(phone)s has the wrong number of digits.") % {"phone": phone},
                )
        if len(set(phones)) > 2:
            return self._error(row, "phone", _("At most two phone numbers per person."))
        phones = list(dict.fromkeys(phones))
        notes = row.get("notes") if "notes" in present else None
        if notes and _too_long(notes, 200):
            return self._error(row, "notes", _("The notes are longer than 200 characters."))
        relation = None
        if row.get("relation"):
            relation = RELATIONS.get(row.get("relation").replace(" ", "").lower())
            if relation is None:
                return self._error(
                    row,
                    "relation",
                    _("The relation %(value)s is not one of 户主, 租户, 家属.")
                    % {"value": row.get("relation")},
                )
        if len(phones) > 1:
            alt: str | None = phones[1]
        else:
            alt = "" if "alt_phone" in present else None
        return Person(name=name, phone=phones[0], alt_phone=alt, notes=notes, relation=relation)

    def parse(self, row: Row, state: PlacesState) -> Place | RowError:
        parsed = self._parse(row, state)
        if isinstance(parsed, RowError):
            state.unsure_phones.update(split_phones(row.get("phone")) + split_phones(row.get("alt_phone")))
        return parsed

    def _parse(self, row: Row, state: PlacesState) -> Place | RowError:
        room = self._address(row)
        if isinstance(room, RowError):
            return room
        floor = None
        if row.get("floor"):
            floor = number_of(row.get("floor"))
            if floor is None:
                state.unsure_rooms.add(room)
                return self._error(
                    row, "floor", _("The floor %(value)s is not a number.") % {"value": row.get("floor")}
                )
        person = self._person(row, state.present)
        if isinstance(person, RowError):
            state.unsure_rooms.add(room)
            return person
        key = (room, person.key if person else None)
        first = state.seen.get(key)
        if first is not None:
            return self._error(
                row, "name" if person else "address", _("The same as row %(row)s.") % {"row": f"{first:,}"}
            )
        state.seen[key] = row.number
        people = state.people_in_file.setdefault(room, set())
        if person:
            people.add(person.key)
        return Place(row, room, floor, person)

    # Planning a batch -----------------------------------------------------------------------------------

    def plan(self, rows: Sequence[Row], state: PlacesState, *, writing: bool) -> Plan:
        result = Plan(writes=PlacesWrites())
        places: list[Place] = []
        for row in rows:
            parsed = self.parse(row, state)
            if isinstance(parsed, RowError):
                result.errors.append(parsed)
            else:
                places.append(parsed)
        if not places:
            return result
        # Plain tuples, not model instances: a whole base is 150,000 of them and the preview has 30 s.
        rooms = self._existing_rooms({p.room for p in places}, state)
        people = self._existing_residents({p.person.key for p in places if p.person})
        residencies = {
            (room_id, resident_id): (pk, relation)
            for pk, room_id, resident_id, relation in Residency.objects.filter(
                room_id__in=[r[0] for r in rooms.values()]
            ).values_list("id", "room_id", "resident_id", "relation")
        }
        w: PlacesWrites = result.writes
        for place in places:
            outcome = UNCHANGED
            room = rooms.get(place.room)
            if room is None:
                outcome = CREATE
                if place.room not in w.new_rooms:
                    number = place.room[3]
                    w.new_rooms[place.room] = Room(number=number, floor=place.floor or _floor_of(number))
            else:
                w.rooms[place.room] = room
                if place.floor is not None and room[1] != place.floor:
                    outcome = UPDATE
                    w.room_floors[room[0]] = (room[2], room[1], place.floor)
            person = place.person
            if person is not None:
                found = people.get(person.key)
                if found is None:
                    if person.key not in w.new_residents:
                        w.new_residents[person.key] = Resident(
                            name=person.name,
                            phone=person.phone,
                            alt_phone=person.alt_phone or "",
                            notes=person.notes or "",
                        )
                    outcome = CREATE
                    w.new_residencies.append((place.room, person.key, person.relation or Relation.OWNER))
                else:
                    w.residents[person.key] = found[0]
                    changes = self._resident_changes(found, person)
                    if changes:
                        outcome = outcome if outcome == CREATE else UPDATE
                        current = w.resident_changes.setdefault(found[0], (person, {}))
                        current[1].update(changes)
                    residency = residencies.get((room[0], found[0])) if room else None
                    if residency is None:
                        outcome = CREATE
                        w.new_residencies.append((place.room, person.key, person.relation or Relation.OWNER))
                    elif person.relation and residency[1] != person.relation:
                        outcome = outcome if outcome == CREATE else UPDATE
                        label = f"{person.name} @ {room[2]}"
                        w.residency_changes[residency[0]] = (label, residency[1], person.relation)
            result.outcomes.append((place.row, outcome))
        return result

    def _existing_rooms(self, keys: set[RoomKey], state: PlacesState) -> dict[RoomKey, tuple[int, int, str]]:
        """(id, floor, label) of the rooms of these addresses that exist."""
        unit_ids = {state.units[k[:3]].id: k[:3] for k in keys if k[:3] in state.units}
        if not unit_ids:
            return {}
        found = Room.objects.filter(unit_id__in=unit_ids, number__in={k[3] for k in keys}).values_list(
            "id", "unit_id", "number", "floor", "label"
        )
        # Units × numbers also matches rooms nobody asked about (unit 1's 202 when unit 2's 202 was asked).
        rooms = {
            (*unit_ids[unit_id], number): (pk, floor, label) for pk, unit_id, number, floor, label in found
        }
        return {key: room for key, room in rooms.items() if key in keys}

    @staticmethod
    def _existing_residents(keys: set[PersonKey]) -> dict[PersonKey, tuple[int, str, str]]:
        """(id, alt_phone, notes) of the residents with these (phone, name), the oldest when there are two."""
        if not keys:
            return {}
        found: dict[PersonKey, tuple[int, str, str]] = {}
        rows = (
            Resident.objects.filter(phone__in={k[0] for k in keys})
            .order_by("id")
            .values_list("id", "phone", "name", "alt_phone", "notes")
        )
        for pk, phone, name, alt_phone, notes in rows:
            if (phone, name) in keys:
                found.setdefault((phone, name), (pk, alt_phone, notes))
        return found

    @staticmethod
    def _resident_changes(found: tuple[int, str, str], person: Person) -> dict[str, list]:
        changes = {}
        if person.alt_phone is not None and found[1] != person.alt_phone:
            changes["alt_phone"] = [found[1], person.alt_phone]
        if person.notes is not None and found[2] != person.notes:
            changes["notes"] = [found[2], person.notes]
        return changes

    # Writing a batch ------------------------------------------------------------------------------------

    def _unit(self, key: tuple[int, int, int], state: PlacesState, audits: list) -> Unit:
        """The unit of an address, creating its district, building and unit when the base has none yet."""
        unit = state.units.get(key)
        if unit is not None:
            return unit
        d, b, u = key
        district = state.districts.get(d)
        if district is None:
            district = District.objects.create(number=d, name=f"{d}区")
            state.districts[d] = district
            audits.append((district, AuditEntry.Action.ADD, {"name": [None, district.name]}, None))
        building = state.buildings.get((d, b))
        if building is None:
            building = Building.objects.create(district=district, number=b, label=f"{district.name}{b}栋")
            state.buildings[(d, b)] = building
            audits.append((building, AuditEntry.Action.ADD, {"label": [None, building.label]}, None))
        unit = Unit.objects.create(building=building, number=u, label=f"{building.label}{u}单元")
        state.units[key] = unit
        audits.append((unit, AuditEntry.Action.ADD, {"label": [None, unit.label]}, None))
        return unit

    def apply(self, plan: Plan, state: PlacesState, *, actor) -> None:
        w: PlacesWrites = plan.writes
        audits: list[tuple[Any, str, dict, str | None]] = []
        for key, room in w.new_rooms.items():
            unit = self._unit(key[:3], state, audits)
            room.unit_id, room.building_id = unit.id, unit.building_id
            room.district_id = state.districts[key[0]].id
            room.label = f"{unit.label}{room.number}室"
        Room.objects.bulk_create(w.new_rooms.values(), batch_size=2000)
        audits += [
            (r, AuditEntry.Action.ADD, {"label": [None, r.label], "floor": [None, r.floor]}, None)
            for r in w.new_rooms.values()
        ]
        floors = [Room(id=pk, floor=after, label=label) for pk, (label, _b, after) in w.room_floors.items()]
        audits += [
            (room, AuditEntry.Action.CHANGE, {"floor": [w.room_floors[room.id][1], room.floor]}, None)
            for room in floors
        ]
        Room.objects.bulk_update(floors, ["floor"], batch_size=2000)

        Resident.objects.bulk_create(w.new_residents.values(), batch_size=2000)
        # A new resident's first home goes into their own "added" entry, as register_resident records it.
        added = {
            key: (
                r,
                AuditEntry.Action.ADD,
                {f: [None, getattr(r, f)] for f in ("name", "phone", "alt_phone", "notes")},
                None,
            )
            for key, r in w.new_residents.items()
        }
        audits += added.values()
        changed = []
        for pk, (person, changes) in w.resident_changes.items():
            resident = Resident(id=pk, name=person.name, phone=person.phone)
            for name, (_before, after) in changes.items():
                setattr(resident, name, after)
            changed.append((resident, list(changes)))
            audits.append((resident, AuditEntry.Action.CHANGE, changes, None))
        for fields in ({"alt_phone"}, {"notes"}, {"alt_phone", "notes"}):
            group = [r for r, names in changed if set(names) == fields]
            Resident.objects.bulk_update(group, sorted(fields), batch_size=2000)

        labels = {key: room.label for key, room in w.new_rooms.items()}
        labels.update({key: room[2] for key, room in w.rooms.items()})
        room_ids = {key: room.id for key, room in w.new_rooms.items()}
        room_ids.update({key: room[0] for key, room in w.rooms.items()})
        resident_ids = dict(w.residents)
        resident_ids.update({key: r.id for key, r in w.new_residents.items()})
        links = [
            Residency(room_id=room_ids[k], resident_id=resident_ids[p], relation=rel)
            for k, p, rel in w.new_residencies
        ]
        Residency.objects.bulk_create(links, batch_size=2000)
        for link, (k, p, _rel) in zip(links, w.new_residencies, strict=True):
            room = f"{labels[k]} (#{link.room_id})"
            entry = added.pop(p, None)
            if entry is not None:
                entry[2].update({"room": [None, room], "relation": [None, link.relation]})
                continue
            changes = {
                "resident": [None, f"{p[1]} (#{link.resident_id})"],
                "room": [None, room],
                "relation": [None, link.relation],
            }
            audits.append((link, AuditEntry.Action.ADD, changes, f"{p[1]} @ {labels[k]}"))
        relations = []
        for pk, (label, before, after) in w.residency_changes.items():
            link = Residency(id=pk, relation=after)
            relations.append(link)
            audits.append((link, AuditEntry.Action.CHANGE, {"relation": [before, after]}, label))
        Residency.objects.bulk_update(relations, ["relation"])
        record_audits(
            audit_entry(actor=actor, obj=o, action=a, changes=c, label=label) for o, a, c, label in audits
        )

    # Moved out ------------------------------------------------------------------------------------------

    def moved_out(self, state: PlacesState) -> list[dict[str, Any]]:
        """Current residencies of the rooms the file lists whose resident the file no longer lists there (not
        in a room one of whose rows has an error, nor with a phone found in an error row)."""
        found: list[dict[str, Any]] = []
        keys = [key for key in state.people_in_file if key not in state.unsure_rooms]
        for start in range(0, len(keys), 2000):
            chunk = keys[start : start + 2000]
            rooms = self._existing_rooms(set(chunk), state)
            by_id = {room[0]: key for key, room in rooms.items()}
            links = (
                Residency.objects.filter(room_id__in=by_id)
                .order_by("room_id", "id")
                .values_list("id", "room_id", "resident_id", "resident__name", "resident__phone")
            )
            for pk, room_id, resident_id, name, phone in links:
                key = by_id[room_id]
                if (phone, name) not in state.people_in_file[key] and phone not in state.unsure_phones:
                    found.append(
                        {
                            "residency": pk,
                            "resident": resident_id,
                            "name": name,
                            "phone": mask_phone(phone),
                            "address": rooms[key][2],
                        }
                    )
        return found

    def end_residencies(self, ids: Sequence[int], *, actor) -> int:
        """End the listed residencies (the resident stays registered, with their history), each audited."""
        links = list(Residency.objects.filter(id__in=ids).select_related("resident", "room"))
        audits = [
            audit_entry(
                actor=actor,
                obj=link,
                action=AuditEntry.Action.DELETE,
                changes={
                    "resident": [audit_value(link.resident), None],
                    "room": [audit_value(link.room), None],
                    "relation": [link.relation, None],
                },
            )
            for link in links
        ]
        Residency.objects.filter(id__in=[link.id for link in links]).delete()
        record_audits(audits)
        return len(links)

    # Export ---------------------------------------------------------------------------------------------

    def export_rows(self) -> Iterator[list[Any]]:
        """One row per residency (a vacant room as one row without a person), in the template's columns."""
        relation_label = {Relation.OWNER: "户主", Relation.TENANT: "租户", Relation.FAMILY: "家属"}
        rooms = (
            Room.objects.order_by("district__number", "building__number", "unit__number", "number")
            .values_list("id", "district__number", "building__number", "unit__number", "number", "floor")
            .iterator(chunk_size=5000)
        )
        batch: list[tuple] = []

        def flush() -> Iterator[list[Any]]:
            ids = [r[0] for r in batch]
            people: dict[int, list[tuple]] = {}
            for link in (
                Residency.objects.filter(room_id__in=ids)
                .order_by("room_id", "id")
                .values_list(
                    "room_id",
                    "relation",
                    "resident__name",
                    "resident__phone",
                    "resident__alt_phone",
                    "resident__notes",
                )
            ):
                people.setdefault(link[0], []).append(link[1:])
            for rid, d, b, u, number, floor in batch:
                for relation, name, phone, alt, notes in people.get(rid) or [(None, "", "", "", "")]:
                    yield [
                        d,
                        b,
                        u,
                        number,
                        floor,
                        name,
                        phone,
                        alt,
                        relation_label.get(relation, "") if relation else "",
                        notes,
                    ]

        for room in rooms:
            batch.append(room)
            if len(batch) >= 2000:
                yield from flush()
                batch = []
        if batch:
            yield from flush()


# --- Facilities --------------------------------------------------------------------------------------------

FACILITY_WORDS = {
    "泵房": FacilityKind.PUMP_HOUSE,
    "加压泵房": FacilityKind.PUMP_HOUSE,
    "水泵房": FacilityKind.PUMP_HOUSE,
    "变电所": FacilityKind.SUBSTATION,
    "变电站": FacilityKind.SUBSTATION,
    "配电室": FacilityKind.SUBSTATION,
    "锅炉房": FacilityKind.BOILER_ROOM,
    "道路": FacilityKind.ROAD,
    "路": FacilityKind.ROAD,
    "办公楼": FacilityKind.OFFICE,
    "学校": FacilityKind.SCHOOL,
    "小学": FacilityKind.SCHOOL,
    "卫生所": FacilityKind.CLINIC,
    "诊所": FacilityKind.CLINIC,
    "阀门井": FacilityKind.OTHER,
    "其他": FacilityKind.OTHER,
}


def facility_kinds() -> dict[str, str]:
    """Every word a clerk may write for a facility kind: the value, its English and Chinese labels, synonyms."""
    words = dict(FACILITY_WORDS)
    for choice in FacilityKind:
        words[choice.value] = choice.value
        words[str(choice.label).lower()] = choice.value
        with translation.override("zh-hans"):
            words[str(choice.label)] = choice.value
    return words


@dataclass
class FacilitiesState:
    present: set[str]
    districts: dict[int, District]
    seen: dict[tuple[int, str], int] = field(default_factory=dict)


class FacilitiesRegister(Register):
    kind = "facilities"
    label = gettext_lazy("Public facilities")
    sheet_title = "公建设施"
    columns = (
        Column("district", "区", ("小区", "区号", "片区", "所属区"), 5, 8),
        Column("name", "名称", ("设施名称", "设施", "名字"), "5区加压泵房", 24),
        Column("kind", "类型", ("设施类型", "类别", "种类"), "泵房", 12),
    )

    def check_layout(self, layout: Layout) -> None:
        _require(layout, self, ("district", "name"))

    def start(self, layout: Layout) -> FacilitiesState:
        return FacilitiesState(set(layout.index), {d.number: d for d in District.objects.all()})

    def plan(self, rows: Sequence[Row], state: FacilitiesState, *, writing: bool) -> Plan:
        result = Plan(writes={"new": [], "changed": []})
        words = facility_kinds()
        parsed: list[tuple[Row, int, str, str | None]] = []
        for row in rows:
            district = number_of(row.get("district"))
            name = row.get("name")
            if district is None:
                result.errors.append(
                    self._error(row, "district", _("The district is missing or not a number."))
                )
                continue
            if not name:
                result.errors.append(self._error(row, "name", _("The name is missing.")))
                continue
            if _too_long(name, 100):
                result.errors.append(self._error(row, "name", _("The name is longer than 100 characters.")))
                continue
            kind = None
            if row.get("kind"):
                kind = words.get(row.get("kind").lower())
                if kind is None:
                    result.errors.append(
                        self._error(
                            row,
                            "kind",
                            _("The kind %(value)s is unknown; write e.g. 泵房, 变电所, 锅炉房, 道路 or 其他.")
                            % {"value": row.get("kind")},
                        )
                    )
                    continue
            first = state.seen.get((district, name))
            if first is not None:
                result.errors.append(
                    self._error(row, "name", _("The same as row %(row)s.") % {"row": f"{first:,}"})
                )
                continue
            state.seen[(district, name)] = row.number
            parsed.append((row, district, name, kind))
        existing = {
            (f.district.number, f.name): f
            for f in Facility.objects.filter(name__in={p[2] for p in parsed}).select_related("district")
        }
        for row, district, name, kind in parsed:
            facility = existing.get((district, name))
            if facility is None:
                result.writes["new"].append((district, name, kind or FacilityKind.OTHER))
                result.outcomes.append((row, CREATE))
            elif kind and facility.kind != kind:
                result.writes["changed"].append((facility, kind))
                result.outcomes.append((row, UPDATE))
            else:
                result.outcomes.append((row, UNCHANGED))
        return result

    def apply(self, plan: Plan, state: FacilitiesState, *, actor) -> None:
        audits = []
        new = []
        for number, name, kind in plan.writes["new"]:
            district = state.districts.get(number)
            if district is None:
                district = District.objects.create(number=number, name=f"{number}区")
                state.districts[number] = district
                audits.append(
                    audit_entry(
                        actor=actor, obj=district, action="add", changes={"name": [None, district.name]}
                    )
                )
            label = name if name.startswith(district.name) else f"{district.name}{name}"
            new.append(Facility(district=district, name=name, kind=kind, label=label))
        Facility.objects.bulk_create(new)
        audits += [
            audit_entry(
                actor=actor, obj=f, action="add", changes={"name": [None, f.name], "kind": [None, f.kind]}
            )
            for f in new
        ]
        for facility, kind in plan.writes["changed"]:
            audits.append(
                audit_entry(
                    actor=actor, obj=facility, action="change", changes={"kind": [facility.kind, kind]}
                )
            )
            facility.kind = kind
        Facility.objects.bulk_update([f for f, _k in plan.writes["changed"]], ["kind"])
        record_audits(audits)

    def export_rows(self) -> Iterator[list[Any]]:
        with translation.override("zh-hans"):
            labels = {c.value: str(c.label) for c in FacilityKind}
        for number, name, kind in Facility.objects.order_by("district__number", "name").values_list(
            "district__number", "name", "kind"
        ):
            yield [number, name, labels.get(kind, kind)]
