"""Seed the category tree (DESIGN §5), the service commitments (DESIGN §4) and the working calendar.

All of it is editable in the admin afterwards; this only fills an empty table."""

from django.db import migrations

E, N = "emergency", "normal"
IN, BC, OUT = "indoor", "building_common", "outdoor_public"

TREE = [
    ("water", "供水", "water", [
        ("outage_home", "停水（单户）", N, IN),
        ("outage_unit", "停水（单元/楼栋）", E, BC),
        ("outage_area", "停水（片区）", E, OUT),
        ("low_pressure", "水压低", N, IN),
        ("leak_fitting", "漏水（户内管件）", N, IN),
        ("leak_meter_valve", "漏水（表阀）", N, IN),
        ("leak_riser", "漏水（立管）", E, BC),
        ("main_burst", "室外主管爆管", E, OUT),
        ("meter", "水表故障", N, IN),
        ("valve", "阀门", N, IN),
        ("quality_turbid", "水质浑浊", N, IN),
        ("quality_odour", "水质异味", N, IN),
        ("frozen", "冻管", E, IN),
    ]),
    ("electrical", "电工", "electrical", [
        ("home_outage", "户内停电/跳闸", N, IN),
        ("fixtures", "插座/开关/灯具", N, IN),
        ("wiring", "线路老化/短路/焦糊味", E, IN),
        ("meter_box", "电表/表箱", N, BC),
        ("stair_street_light", "楼道灯/路灯", N, BC),
        ("building_outage", "单元/楼栋停电", E, BC),
        ("public_power", "公共设备电源", N, OUT),
    ]),
    ("drainage", "排污", "drainage", [
        ("floor_drain", "户内下水堵塞（地漏）", N, IN),
        ("sink", "户内下水堵塞（水池）", N, IN),
        ("toilet", "户内下水堵塞（马桶）", N, IN),
        ("riser_blocked", "立管/主管堵塞（返水）", E, BC),
        ("outdoor_overflow", "室外污水井/管网堵塞冒溢", E, OUT),
        ("septic_tank", "化粪池", N, OUT),
        ("manhole_cover", "井盖破损/缺失", E, OUT),
        ("rain_grate", "雨水篦子/积水", N, OUT),
    ]),
    ("maintenance", "小区维修", "maintenance", [
        ("doors_locks", "门窗锁具", N, IN),
        ("leak_roof", "房屋渗漏（屋面）", N, IN),
        ("leak_wall", "房屋渗漏（外墙）", N, IN),
        ("leak_bathroom", "房屋渗漏（卫生间）", N, IN),
        ("leak_balcony", "房屋渗漏（阳台）", N, IN),
        ("walls_floors", "墙地面", N, IN),
        ("sanitary", "洁具配件", N, IN),
        ("stairwell", "楼道设施", N, BC),
        ("outdoor_public", "室外公建", N, OUT),
    ]),
]

# urgency, respond (minutes/days, basis), arrive (minutes, night, basis), complete (amount, basis), off-hours rule
COMMITMENTS = [
    ("emergency", 5, "clock", 30, 45, "clock", 240, "clock", False, "24×7；不过夜，或挂起并说明原因"),
    ("normal", 30, "working_minutes", 1440, None, "clock", 4320, "clock", True, "夜间来电次日上班时响应"),
    ("appointment", 120, "clock", None, None, "clock", 1440, "clock", False, "按约定时段到场（±30分钟）"),
    ("planned", 3, "working_days", None, None, "clock", 15, "working_days", False, "计划≤3个工作日，完工≤15个工作日"),
]


def initials(text):
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p and p[0].isalpha()).lower()


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    ServiceCommitment = apps.get_model("workorders", "ServiceCommitment")
    WorkingCalendar = apps.get_model("workorders", "WorkingCalendar")
    if not Category.objects.exists():
        for top_sort, (code, name, kind, children) in enumerate(TREE):
            parent = Category.objects.create(
                code=code, name=name, crew_kind=kind, pinyin=initials(name), sort=top_sort * 100
            )
            for sort, (child, child_name, urgency, area) in enumerate(children, start=1):
                Category.objects.create(
                    code=f"{code}.{child}", name=child_name, parent=parent, crew_kind=kind,
                    default_urgency=urgency, default_area=area, pinyin=initials(child_name),
                    sort=top_sort * 100 + sort,
                )
    if not ServiceCommitment.objects.exists():
        for urgency, r, rb, a, na, ab, c, cb, off, note in COMMITMENTS:
            ServiceCommitment.objects.create(
                urgency=urgency, respond_minutes=r, respond_basis=rb, arrive_minutes=a, night_arrive_minutes=na,
                arrive_basis=ab, complete_minutes=c, complete_basis=cb, off_hours_by_opening=off, note=note,
            )
    if not WorkingCalendar.objects.exists():
        WorkingCalendar.objects.create()


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
