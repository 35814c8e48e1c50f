"""Demo places and residents for `seed_demo`, and the demo names and phone numbers other apps' demos use."""

from __future__ import annotations

from django.db import transaction

from .models import Residency, Resident, Room

# --- Demo data -------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国建华红梅志强海燕文辉春梅晓峰庭明丽娟德胜玉珍"
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "199",
)


def demo_name(rng) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def demo_phone(rng, used: set[str]) -> str:
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


FACILITY_NAMES = (
    ("pump_house", "{n}区加压泵房"),
    ("substation", "{n}区变电所"),
    ("boiler_room", "{n}区锅炉房"),
    ("road", "{n}区主干道"),
    ("school", "{n}区小学"),
    ("clinic", "{n}区卫生所"),
    ("office", "{n}区物业办公楼"),
)


def seed_demo_places(
    *, rng, districts: int, buildings: int, units: int, floors: int, rooms_per_floor: tuple[int, int]
) -> dict[str, int]:
    """Districts, buildings, units, rooms, facilities and residents for the demo, in bulk.

    Deterministic for the rng's seed. Returns counts; does nothing when any district already exists.
    """
    from .models import Building, District, Facility, Unit

    if District.objects.exists():
        return {}
    with transaction.atomic():
        dist_rows = District.objects.bulk_create(
            [District(number=n, name=f"{n}区") for n in range(1, districts + 1)]
        )
        Facility.objects.bulk_create(
            [
                Facility(district=d, name=tpl.format(n=d.number), kind=kind, label=tpl.format(n=d.number))
                for d in dist_rows
                for kind, tpl in FACILITY_NAMES
            ]
        )
        bld_rows = Building.objects.bulk_create(
            [
                Building(district=d, number=b, label=f"{d.number}区{b}栋")
                for d in dist_rows
                for b in range(1, buildings + 1)
            ],
            batch_size=2000,
        )
        unit_rows = Unit.objects.bulk_create(
            [
                Unit(building=b, number=u, label=f"{b.label}{u}单元")
                for b in bld_rows
                for u in range(1, units + 1)
            ],
            batch_size=2000,
        )
        building_by_id = {b.id: b for b in bld_rows}
        rooms = []
        for unit in unit_rows:
            building = building_by_id[unit.building_id]
            per_floor = rng.randint(*rooms_per_floor)
            for floor in range(1, floors + 1):
                for k in range(1, per_floor + 1):
                    number = f"{floor}{k:02d}"
                    rooms.append(
                        Room(
                            unit=unit,
                            building_id=building.id,
                            district_id=building.district_id,
                            number=number,
                            floor=floor,
                            label=f"{unit.label}{number}室",
                        )
                    )
        room_rows = Room.objects.bulk_create(rooms, batch_size=5000)

        people = _residents(rng, room_rows)
    return {
        "districts": len(dist_rows),
        "buildings": len(bld_rows),
        "units": len(unit_rows),
        "rooms": len(room_rows),
        "residents": len(people),
    }


def _residents(rng, room_rows: list) -> list:
    """Households in most rooms (5% vacant), about 2% of them with a second home."""
    used: set[str] = set()
    people, links = [], []
    notes_pool = ("", "", "", "", "", "", "", "", "独居老人", "行动不便", "白天不在家", "有婴儿")
    for room in room_rows:
        if rng.random() < 0.05:
            continue  # vacant
        household = 1 + (rng.random() < 0.1)
        for i in range(household):
            person = Resident(
                name=demo_name(rng),
                phone=demo_phone(rng, used),
                alt_phone=demo_phone(rng, used) if rng.random() < 0.1 else "",
                notes=rng.choice(notes_pool) if i == 0 else "",
            )
            people.append(person)
            links.append((len(people) - 1, room, "owner" if i == 0 else "family"))
    people = Resident.objects.bulk_create(people, batch_size=5000)
    residencies = [Residency(resident=people[i], room=room, relation=rel) for i, room, rel in links]
    # About 2% own a second home: the caller screen must show both.
    for idx in range(0, len(people), 50):
        other = room_rows[rng.randrange(len(room_rows))]
        if other.id != links[idx][1].id:
            residencies.append(Residency(resident=people[idx], room=other, relation="tenant"))
    Residency.objects.bulk_create(residencies, batch_size=5000, ignore_conflicts=True)
    return people
