from django.db import migrations

# The complaint types, with the 便民服务四不准 rules they concern; editable in the admin afterwards.
TYPES = [
    ("attitude", "服务态度", "不准对住户态度生硬、推诿扯皮", False, 1),
    ("quality", "维修质量", "维修不彻底、返修、顺查不到位", False, 2),
    ("timeliness", "响应时效", "未按服务承诺时限响应、到场、办结", False, 3),
    ("charges", "收费问题", "不准乱收费、不准多收费或收费不开票", True, 4),
    ("conduct", "工作作风", "不准吃拿卡要、不准收受礼品礼金", True, 5),
]


def seed(apps, schema_editor):
    ComplaintType = apps.get_model("feedback", "ComplaintType")
    for code, name, rule, is_conduct, sort in TYPES:
        ComplaintType.objects.update_or_create(
            code=code, defaults={"name": name, "rule": rule, "is_conduct": is_conduct, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
