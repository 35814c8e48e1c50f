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

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .bulk import insert_audits, insert_rows
from .choices import FacilityKind, Relation
from .models import AuditEntry, Building, District, Facility, Residency, Resident, Room, Unit
from .selectors import AddressError, mask_phone, parse_address
from .services import audit_entry, audit_value, record_audits
from .tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    Layout,
    Plan,
    Register,
    Row,
    RowError,
    number_of,
    require_columns,
    split_phones,
    valid_phone,
)

ADD, CHANGE = AuditEntry.Action.ADD.value, AuditEntry.Action.CHANGE.value

RoomKey = tuple[int, int, int, str]
PersonKey = tuple[str, str]


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
    key: PersonKey = field(init=False)  # (phone, name): looked up a few times a row, so made once

    def __post_init__(self) -> None:
        self.key = (self.phone, self.name)


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
    # The preview's rooms found in the base (id, floor, label): the moved-out residents are looked up in them.
    found_rooms: dict[RoomKey, tuple[int, int, str]] = field(default_factory=dict)


@dataclass
class PlacesWrites:
    """A planned batch as plain values (a whole base is 150,000 rows: no model instance per row)."""

    rooms: dict[RoomKey, tuple[int, int, str]] = field(default_factory=dict)  # existing: id, floor, label
    residents: dict[PersonKey, int] = field(default_factory=dict)  # existing: id
    new_rooms: dict[RoomKey, int] = field(default_factory=dict)  # floor
    room_floors: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # id: label, before, after
    new_residents: dict[PersonKey, Person] = field(default_factory=dict)
    resident_changes: dict[int, tuple[Person, dict[str, list]]] = field(default_factory=dict)
    new_residencies: list[tuple[RoomKey, PersonKey, str]] = field(default_factory=list)
    # id: label, before, after
    residency_changes: dict[int, tuple[str, str, str]] = field(default_factory=dict)


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
        require_columns(layout, self, ("address",), ("district", "building", "unit", "room"))

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
            numbers = [number_of(row.get(key)) for key, _label in ADDRESS_PARTS]  # cached: they repeat
            for (key, label), n in zip(ADDRESS_PARTS, numbers, strict=True):
                if n is None:
                    what = str(label)
                    message = (
                        _("The %(part)s is missing.") % {"part": what}
                        if not row.get(key)
                        else _("The %(part)s %(value)s is not a number.")
                        % {"part": what, "value": row.get(key)}
                    )
                    return self._error(row, key, message)
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
        if written := row.get("relation"):
            relation = RELATIONS.get(written) or RELATIONS.get(written.replace(" ", "").lower())
            if relation is None:
                return self._error(
                    row,
                    "relation",
                    _("The relation %(value)s is not one of 户主, 租户, 家属.") % {"value": written},
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
        if not writing:
            state.found_rooms.update(rooms)
        people = self._existing_residents({p.person.key for p in places if p.person})
        residencies = {
            (room_id, resident_id): (pk, relation)
            for pk, room_id, resident_id, relation in Residency.objects.filter(
                room_id__in=[r[0] for r in rooms.values()]
            ).values_list("id", "room_id", "resident_id", "relation")
        }
        w: PlacesWrites = result.writes
        for place in places:
            outcome = self._plan_room(place, rooms.get(place.room), w)
            if place.person is not None:
                outcome = self._plan_person(place, rooms.get(place.room), people, residencies, w, outcome)
            result.outcomes.append((place.row, outcome))
        return result

    @staticmethod
    def _plan_room(place: Place, room: tuple[int, int, str] | None, w: PlacesWrites) -> str:
        if room is None:
            if place.room not in w.new_rooms:
                w.new_rooms[place.room] = place.floor or _floor_of(place.room[3])
            return CREATE
        w.rooms[place.room] = room
        if place.floor is not None and room[1] != place.floor:
            w.room_floors[room[0]] = (room[2], room[1], place.floor)
            return UPDATE
        return UNCHANGED

    def _plan_person(self, place: Place, room, people, residencies, w: PlacesWrites, outcome: str) -> str:
        person = place.person
        relation = person.relation or Relation.OWNER
        found = people.get(person.key)
        if found is None:
            w.new_residents.setdefault(person.key, person)
            w.new_residencies.append((place.room, person.key, relation))
            return CREATE
        w.residents[person.key] = found[0]
        changes = self._resident_changes(found, person)
        if changes:
            outcome = outcome if outcome == CREATE else UPDATE
            w.resident_changes.setdefault(found[0], (person, {}))[1].update(changes)
        residency = residencies.get((room[0], found[0])) if room else None
        if residency is None:
            w.new_residencies.append((place.room, person.key, relation))
            return CREATE
        if person.relation and residency[1] != person.relation:
            outcome = outcome if outcome == CREATE else UPDATE
            w.residency_changes[residency[0]] = (f"{person.name} @ {room[2]}", residency[1], person.relation)
        return outcome

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
    # Audit rows are (model, id, text, action, changes) tuples, written by `insert_audits` at the end.

    def _units(self, keys: set[tuple[int, int, int]], state: PlacesState, audits: list) -> None:
        """Create the districts, buildings and units of these addresses the base has none of yet (a statement
        per level and batch, not per unit)."""
        missing = sorted(key for key in keys if key not in state.units)
        if not missing:
            return
        districts = [
            District(number=d, name=f"{d}区")
            for d in sorted({k[0] for k in missing})
            if d not in state.districts
        ]
        District.objects.bulk_create(districts)
        for district in districts:
            state.districts[district.number] = district
            audits.append(
                ("residents.district", district.pk, district.name, ADD, {"name": [None, district.name]})
            )
        buildings = [
            Building(district=state.districts[d], number=b, label=f"{state.districts[d].name}{b}栋")
            for d, b in sorted({k[:2] for k in missing})
            if (d, b) not in state.buildings
        ]
        Building.objects.bulk_create(buildings)
        for building in buildings:
            state.buildings[(building.district.number, building.number)] = building
            audits.append(
                ("residents.building", building.pk, building.label, ADD, {"label": [None, building.label]})
            )
        units = [
            Unit(building=state.buildings[(d, b)], number=u, label=f"{state.buildings[(d, b)].label}{u}单元")
            for d, b, u in missing
        ]
        Unit.objects.bulk_create(units)
        for key, unit in zip(missing, units, strict=True):
            state.units[key] = unit
            audits.append(("residents.unit", unit.pk, unit.label, ADD, {"label": [None, unit.label]}))

    def _write_rooms(self, w: PlacesWrites, state: PlacesState, audits: list) -> tuple[dict, dict]:
        """The new rooms and the changed floors; returns the ids and labels of every room the batch names."""
        self._units({key[:3] for key in w.new_rooms}, state, audits)
        rows = []
        for key, floor in w.new_rooms.items():
            unit = state.units[key[:3]]
            label = f"{unit.label}{key[3]}室"
            rows.append((unit.id, unit.building_id, state.districts[key[0]].id, key[3], floor, label))
        fields = ("unit_id", "building_id", "district_id", "number", "floor", "label")
        ids = insert_rows(Room, fields, rows)
        audits += [
            ("residents.room", pk, row[5], ADD, {"label": [None, row[5]], "floor": [None, row[4]]})
            for pk, row in zip(ids, rows, strict=True)
        ]
        audits += [
            ("residents.room", pk, label, CHANGE, {"floor": [before, after]})
            for pk, (label, before, after) in w.room_floors.items()
        ]
        floors = [Room(id=pk, floor=after) for pk, (_label, _before, after) in w.room_floors.items()]
        Room.objects.bulk_update(floors, ["floor"], batch_size=2000)
        room_ids = dict(zip(w.new_rooms, ids, strict=True))
        room_ids.update({key: room[0] for key, room in w.rooms.items()})
        labels = {key: row[5] for key, row in zip(w.new_rooms, rows, strict=True)}
        labels.update({key: room[2] for key, room in w.rooms.items()})
        return room_ids, labels

    @staticmethod
    def _write_residents(w: PlacesWrites, audits: list) -> tuple[dict, dict]:
        """The new residents and the changed ones; returns every resident's id and the new ones' audit rows (a
        new resident's first home goes into their own "added" entry, as register_resident records it)."""
        rows = [(p.name, p.phone, p.alt_phone or "", p.notes or "") for p in w.new_residents.values()]
        fields = ("name", "phone", "alt_phone", "notes")
        ids = insert_rows(Resident, fields, rows, {"created_at": timezone.now()})
        added = {
            key: (
                "residents.resident",
                pk,
                row[0],
                ADD,
                {f: [None, v] for f, v in zip(fields, row, strict=True)},
            )
            for key, pk, row in zip(w.new_residents, ids, rows, strict=True)
        }
        audits += added.values()
        changed = []
        for pk, (person, changes) in w.resident_changes.items():
            resident = Resident(id=pk, name=person.name, phone=person.phone)
            for name, (_before, after) in changes.items():
                setattr(resident, name, after)
            changed.append((resident, set(changes)))
            audits.append(("residents.resident", pk, person.name, CHANGE, changes))
        for names in ({"alt_phone"}, {"notes"}, {"alt_phone", "notes"}):
            group = [r for r, fields in changed if fields == names]
            Resident.objects.bulk_update(group, sorted(names), batch_size=2000)
        resident_ids = dict(w.residents)
        resident_ids.update(zip(w.new_residents, ids, strict=True))
        return resident_ids, added

    def apply(self, plan: Plan, state: PlacesState, *, actor) -> None:
        w: PlacesWrites = plan.writes
        audits: list[tuple[str, Any, str, str, dict]] = []
        room_ids, labels = self._write_rooms(w, state, audits)
        resident_ids, added = self._write_residents(w, audits)
        links = [(room_ids[k], resident_ids[p], str(rel)) for k, p, rel in w.new_residencies]
        ids = insert_rows(Residency, ("room_id", "resident_id", "relation"), links)
        for pk, (room_id, resident_id, rel), (k, p, _rel) in zip(ids, links, w.new_residencies, strict=True):
            room = f"{labels[k]} (#{room_id})"
            entry = added.pop(p, None)
            if entry is not None:
                entry[4].update({"room": [None, room], "relation": [None, rel]})
                continue
            changes = {
                "resident": [None, f"{p[1]} (#{resident_id})"],
                "room": [None, room],
                "relation": [None, rel],
            }
            audits.append(("residents.residency", pk, f"{p[1]} @ {labels[k]}", ADD, changes))
        relations = []
        for pk, (label, before, after) in w.residency_changes.items():
            relations.append(Residency(id=pk, relation=after))
            audits.append(("residents.residency", pk, label, CHANGE, {"relation": [before, after]}))
        Residency.objects.bulk_update(relations, ["relation"])
        insert_audits(actor, audits)

    # Moved out ------------------------------------------------------------------------------------------

    def moved_out(self, state: PlacesState) -> list[dict[str, Any]]:
        """Current residencies of the rooms the file lists whose resident the file no longer lists there (not
        in a room one of whose rows has an error, nor with a phone found in an error row). After the preview's
        batches: their rooms found in the base are in the state."""
        found: list[dict[str, Any]] = []
        keys = [
            key for key in state.people_in_file if key not in state.unsure_rooms and key in state.found_rooms
        ]
        for start in range(0, len(keys), 2000):
            rooms = {key: state.found_rooms[key] for key in keys[start : start + 2000]}
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
        require_columns(layout, self, ("district", "name"))

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
