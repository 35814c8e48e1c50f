"""Reads of places and people, including the address parser the hotline uses on every call."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from .models import Building, District, Facility, Residency, Resident, Room, Unit

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")

# Number + its unit word, or a dash, for each level. "号" alone means building when another level follows.
_ADDRESS = re.compile(
    r"^(?P<district>\d+)(?:区|-)"
    r"(?P<building>\d+)(?:号楼|栋|幢|楼|号|#|-)"
    r"(?P<unit>\d+)(?:单元|门|-)"
    r"(?P<room>\d+)(?:室|号)?$"
)
_PARTIAL = re.compile(
    r"^(?P<district>\d+)(?:区|-)?(?:(?P<building>\d+)(?:号楼|栋|幢|楼|号|#|-)?)?"
    r"(?:(?P<unit>\d+)(?:单元|门|-)?)?(?:(?P<room>\d+)(?:室|号)?)?$"
)


# Every parser of user text bounds its input first (STACK-NOTES #21): the longest real address is ~30 characters,
# and a string of 5,000 digits made int() raise (a 500).
MAX_ADDRESS_LENGTH = 100


class AddressError(ValueError):
    """An address that names no room, with the part that did not match."""

    def __init__(self, message: str, part: str = "address") -> None:
        super().__init__(message)
        self.message = message
        self.part = part


def _cn_to_int(text: str) -> int:
    """Chinese numerals as residents say them: 五 → 5, 十二 → 12, 三十七 → 37, 一零二 → 102."""
    if "十" not in text and "百" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def normalize_address(text: str) -> str:
    """Full-width to half-width, no spaces, Chinese numerals to digits, dashes unified."""
    value = unicodedata.normalize("NFKC", text or "")
    value = re.sub(r"\s+", "", value)
    value = re.sub(r"[—–－~_/]+", "-", value)
    return _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), value)


@dataclass(frozen=True)
class AddressParts:
    district: int
    building: int
    unit: int
    room: str


def parse_address(text: str) -> AddressParts:
    """Split an address into its four numbers, or say what is missing."""
    if len(text or "") > MAX_ADDRESS_LENGTH:
        raise AddressError(
            _("An address has at most %(n)s characters; write it like 5区37栋1单元302室.")
            % {"n": MAX_ADDRESS_LENGTH},
            "address",
        )
    value = normalize_address(text)
    if not value:
        raise AddressError(_("Enter an address such as 5区37栋1单元302室."), "address")
    match = _ADDRESS.match(value)
    if match:
        return AddressParts(
            int(match["district"]), int(match["building"]), int(match["unit"]), str(int(match["room"]))
        )
    partial = _PARTIAL.match(value)
    if partial:
        for part, label in (
            ("building", _("building")),
            ("unit", _("unit")),
            ("room", _("room number")),
        ):
            if not partial[part]:
                raise AddressError(
                    _("The address %(address)s has no %(part)s; write it like 5区37栋1单元302室.")
                    % {"address": text.strip(), "part": label},
                    part,
                )
    raise AddressError(
        _("Could not read the address %(address)s; write it like 5区37栋1单元302室 or 5-37-1-302.")
        % {"address": text.strip()},
        "address",
    )


def resolve_address(text: str) -> Room:
    """The Room an address names. One indexed query when it matches; on a miss, says which level is wrong."""
    parts = parse_address(text)
    room = (
        Room.objects.select_related("unit", "building", "district")
        .filter(
            district__number=parts.district,
            building__number=parts.building,
            unit__number=parts.unit,
            number=parts.room,
        )
        .first()
    )
    if room is not None:
        return room
    district = District.objects.filter(number=parts.district).first()
    if district is None:
        raise AddressError(_("There is no district %(n)s区.") % {"n": parts.district}, "district")
    building = Building.objects.filter(district=district, number=parts.building).first()
    if building is None:
        raise AddressError(
            _("%(district)s has no building %(n)s.") % {"district": district.name, "n": parts.building},
            "building",
        )
    unit = Unit.objects.filter(building=building, number=parts.unit).first()
    if unit is None:
        raise AddressError(
            _("%(building)s has no unit %(n)s.") % {"building": building.label, "n": parts.unit}, "unit"
        )
    raise AddressError(
        _("%(unit)s has no room %(n)s.") % {"unit": unit.label, "n": parts.room},
        "room",
    )


def suggest_rooms(text: str, *, limit: int = 10) -> QuerySet[Room]:
    """Rooms whose label starts like what has been typed so far (for type-ahead); nothing for a text longer
    than any address."""
    if len(text or "") > MAX_ADDRESS_LENGTH:
        return Room.objects.none()
    value = normalize_address(text)
    parts = _PARTIAL.match(value) if value else None
    qs = Room.objects.select_related("district", "building", "unit")
    if parts is None:
        return qs.filter(label__startswith=value)[:limit] if value else qs.none()
    filters = Q(district__number=int(parts["district"]))
    if parts["building"]:
        filters &= Q(building__number=int(parts["building"]))
    if parts["unit"]:
        filters &= Q(unit__number=int(parts["unit"]))
    if parts["room"]:
        filters &= Q(number__startswith=str(int(parts["room"])))
    return qs.filter(filters).order_by("building__number", "unit__number", "number")[:limit]


# --- Places: a room, a building's common area, a public facility ------------------------------------------

# A building (and maybe its unit) followed by what is there: 5区37栋楼道, 5-37-2单元门, 3区15栋旁边的路灯.
_BUILDING_PLACE = re.compile(
    r"^(?P<district>\d+)(?:区|-)(?P<building>\d+)(?:号楼|栋|幢|楼|号|#|-)?"
    r"(?:(?P<unit>\d+)(?:单元|门))?(?P<detail>\D.*)?$"
)


@dataclass(frozen=True)
class Place:
    """Where a fault is (issue 14 point 7): a room, a building's common area (楼道, 单元门, 楼顶; optionally one
    unit's) or a public facility, plus the words that say where exactly (`detail`). `label` is the one way a
    place is written on orders, boards, exports, SMS and scripts."""

    room: Room | None = None
    building: Building | None = None
    unit: Unit | None = None
    facility: Facility | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        base = (self.room or self.unit or self.building or self.facility).label
        return f"{base} {self.detail}" if self.detail else base

    @property
    def district_id(self) -> int:
        return (self.room or self.building or self.facility).district_id

    @property
    def building_id(self) -> int | None:
        if self.room is not None:
            return self.room.building_id
        return self.building.pk if self.building is not None else None

    @property
    def unit_id(self) -> int | None:
        return self.room.unit_id if self.room is not None else getattr(self.unit, "pk", None)

    def orders_here(self) -> Q:
        """The orders placed at this very place (a room's, this facility's, or the building's common areas)."""
        if self.room is not None:
            return Q(room=self.room)
        if self.facility is not None:
            return Q(facility=self.facility)
        return Q(building=self.building, room__isnull=True, facility__isnull=True)


def resolve_place(text: str) -> Place:
    """The place an address names: a room (5区37栋1单元302室), a building or unit with what is there (5区37栋楼道,
    5区37栋2单元 单元门, 3区15栋旁边的路灯), or a public facility by its label (5区加压泵房, then any words).
    A room address that matches no room says which level is wrong (resolve_address)."""
    if len(text or "") > MAX_ADDRESS_LENGTH:
        parse_address(text)  # raises the length error
    value = normalize_address(text)
    if _ADDRESS.match(value):
        return Place(room=resolve_address(text))
    match = _BUILDING_PLACE.match(value)
    if match:
        building = (
            Building.objects.filter(district__number=int(match["district"]), number=int(match["building"]))
            .select_related("district")
            .first()
        )
        if building is None:
            resolve_address(f"{match['district']}区{match['building']}栋1单元1室")  # says which level
        unit = None
        if match["unit"]:
            unit = Unit.objects.filter(building=building, number=int(match["unit"])).first()
            if unit is None:
                raise AddressError(
                    _("%(building)s has no unit %(n)s.") % {"building": building.label, "n": match["unit"]},
                    "unit",
                )
        return Place(building=building, unit=unit, detail=(match["detail"] or "").strip("-")[:100])
    facility = (
        Facility.objects.annotate(said=Value(value))
        .filter(said__startswith=F("label"))
        .order_by(Length("label").desc(), "id")
        .first()
    )
    if facility is not None:
        return Place(facility=facility, detail=value[len(facility.label) :].strip("-")[:100])
    parse_address(text)  # says what is missing from a room address
    raise AddressError(_("Could not read the address %(address)s.") % {"address": text.strip()}, "address")


def suggest_places(text: str, *, limit: int = 8) -> list[tuple[str, str, str]]:
    """What the desk's address field offers as the dispatcher types, as (kind, label, hint): rooms whose label
    starts like the text; the building's and its units' common areas once a building is named; public
    facilities by name or district (泵房, 5区锅炉). At most `limit` rooms and a few of each other kind."""
    if not text or len(text) > MAX_ADDRESS_LENGTH:
        return []
    value = normalize_address(text)
    found: list[tuple[str, str, str]] = []
    area_hint = _("common area: 楼道, 单元门, 楼顶")
    building_match = _BUILDING_PLACE.match(value)
    if building_match and not building_match["detail"]:
        building = Building.objects.filter(
            district__number=int(building_match["district"]), number=int(building_match["building"])
        ).first()
        if building is not None:
            found.append(("building", building.label, area_hint))
            units = building.units.order_by("number")
            if building_match["unit"]:
                units = units.filter(number=int(building_match["unit"]))
            found.extend(("building", u.label, area_hint) for u in units[:4])
    district = re.match(r"^(\d+)区(.*)$", value)
    facilities = Facility.objects.order_by("district__number", "name")
    if district and not district[2][:1].isdigit():
        facilities = facilities.filter(district__number=int(district[1]), name__contains=district[2])
    elif not value[:1].isdigit():
        facilities = facilities.filter(Q(label__contains=value) | Q(name__contains=value))
    else:
        facilities = facilities.none()
    found.extend(("facility", fac.label, fac.get_kind_display()) for fac in facilities[:5])
    rooms = [("room", r.label, "") for r in suggest_rooms(text, limit=limit)]
    # Once a building is named and no room number typed yet, its common areas come first (one key: Enter).
    return [*found, *rooms] if building_match else [*rooms, *found]


# The one phone rule (every phone field: calls, orders, residents, complaints, staff): written with digits,
# spaces, + - ( ) . only, 7–12 digits once a +86/0086 prefix is dropped; longer input is refused unread.
MAX_PHONE_INPUT = 30
_PHONE_WRITING = re.compile(r"^[0-9\s+\-().]+$")


class PhoneError(ValueError):
    """Text that is not a phone number; `.message` is for people."""

    def __init__(self, text: str) -> None:
        self.message = _("“%(phone)s” is not a phone number: enter 7 to 12 digits, e.g. 13800138000.") % {
            "phone": (text or "").strip()[:MAX_PHONE_INPUT]
        }
        super().__init__(self.message)


def clean_phone(text: str | None, *, required: bool = False) -> str:
    """A phone number typed by a person, as its digits; "" for a blank optional one; PhoneError otherwise."""
    raw = (text or "").strip()
    if not raw and not required:
        return ""
    if len(raw) > MAX_PHONE_INPUT:
        raise PhoneError(raw)
    value = unicodedata.normalize("NFKC", raw)
    digits = normalize_phone(value)
    if not _PHONE_WRITING.match(value) or not 7 <= len(digits) <= 12:
        raise PhoneError(raw)
    return digits


def normalize_phone(text: str) -> str:
    """Digits only (full-width allowed), without a +86 / 0086 prefix."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def residents_by_phone(phone: str) -> QuerySet[Resident]:
    """Residents with this number as their main or other phone."""
    return Resident.objects.filter(Q(phone=phone) | Q(alt_phone=phone))


# In the model's field order (Model.from_db takes the values in that order).
HOME_FIELDS = ("id", "unit_id", "building_id", "district_id", "number", "label")


def residents_with_homes(residents: QuerySet[Resident], *, limit: int = 10) -> list[Resident]:
    """The first `limit` of `residents` by name, each with `.homes`: the rooms they live in (id, label, number
    and the unit, building and district ids), in one query — a LEFT JOIN through their residencies, so a
    resident registered without a room comes with no homes. Built from the rows by hand because the caller
    screen's query budget (8) has no room for the second query of a prefetch."""
    first = residents.order_by("name", "id").values("pk")[:limit]
    rows = (
        Resident.objects.filter(pk__in=first)
        .order_by("name", "id", "residencies__id")
        .values_list(
            "id", "name", "phone", "alt_phone", "notes", *(f"residencies__room__{f}" for f in HOME_FIELDS)
        )
    )
    found: dict[int, Resident] = {}
    for row in rows:
        resident = found.get(row[0])
        if resident is None:
            resident = Resident.from_db("default", ["id", "name", "phone", "alt_phone", "notes"], row[:5])
            resident.homes = []
            found[row[0]] = resident
        if row[5] is not None:
            resident.homes.append(Room.from_db("default", list(HOME_FIELDS), row[5:]))
    return list(found.values())


def rooms_in_area(
    district_id: int, building_ids: tuple[int, ...] = (), unit_ids: tuple[int, ...] = (), facility_ids=()
) -> QuerySet[Room]:
    """The rooms of an area: a whole district, or its buildings and units; an area of public facilities only
    holds no rooms."""
    rooms = Room.objects.filter(district_id=district_id)
    if building_ids or unit_ids:
        return rooms.filter(Q(building_id__in=building_ids) | Q(unit_id__in=unit_ids))
    if facility_ids:
        return Room.objects.none()
    return rooms


def homes_in_area(district_id: int, building_ids=(), unit_ids=(), facility_ids=()) -> QuerySet[Room]:
    """The rooms of the area that someone lives in: the homes an outage there affects."""
    rooms = rooms_in_area(district_id, tuple(building_ids), tuple(unit_ids), tuple(facility_ids))
    return rooms.filter(Exists(Residency.objects.filter(room_id=OuterRef("pk"))))


def mask_phone(phone: str) -> str:
    """138****5678: enough for a crew to confirm, not enough to call."""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****"


def place_figures() -> dict[str, int]:
    """Counts for the home page: one aggregate query per table, indexes make each a fast count."""
    return {
        "districts": District.objects.count(),
        "buildings": Building.objects.count(),
        "rooms": Room.objects.count(),
        "residents": Resident.objects.count(),
    }


FULL_PHONE = ("residents", "view_full_phone")


def remember_full_phone(user, allowed: bool) -> None:
    """Cache the answer of `can_see_full_phone` when it was loaded with the user (crews.auth)."""
    user._bst_full_phone = allowed


def can_see_full_phone(user) -> bool:
    """`user.has_perm("residents.view_full_phone")` in one query instead of ModelBackend's two (the user's own
    and the groups' permissions), cached on the user for the request; reuses ModelBackend's cache when the
    request already loaded it. Used on every list and caller screen."""
    if not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    loaded = getattr(user, "_perm_cache", None)
    if loaded is not None:
        return ".".join(FULL_PHONE) in loaded
    cached = getattr(user, "_bst_full_phone", None)
    if cached is None:
        cached = full_phone_grants(user).exists()
        user._bst_full_phone = cached
    return cached


def show_phone(user, phone: str) -> str:
    """A phone number as `user` may see it: in full with residents.view_full_phone, masked otherwise."""
    if not phone or can_see_full_phone(user):
        return phone
    return mask_phone(phone)


def full_phone_grants(user):
    """The grants of residents.view_full_phone to `user` (a user or an OuterRef to one), directly or through
    a group: `.exists()` answers the question, `Exists(...)` asks it inside the user's own query (crews.auth)."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), content_type__app_label=FULL_PHONE[0], codename=FULL_PHONE[1]
    )
