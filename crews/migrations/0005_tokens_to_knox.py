"""API tokens move from rest_framework.authtoken (plain-text keys that never end) to knox (issue 17, finding 4).

Every existing key is kept as a knox digest with a 30-day grace lifetime, so a phone system or script that
holds one goes on working after the upgrade until it is re-issued (docs/cti.md); then the plain-text table is
dropped, and with it every stored key. A database that never had the table (a fresh one) skips both steps.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

GRACE = timedelta(days=30)


def keys_to_digests(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    from knox.crypto import hash_token

    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    expiry = timezone.now() + GRACE
    AuthToken.objects.bulk_create(
        [AuthToken(digest=hash_token(key), token_key=key[:15], user_id=user_id, expiry=expiry) for key, user_id in rows],
        ignore_conflicts=True,
    )
    schema_editor.execute(schema_editor.sql_delete_table % {"table": schema_editor.quote_name("authtoken_token")})
    # The app is gone from INSTALLED_APPS: forget its migrations, so adding it back would create its table again.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("crews", "0004_worker_sms_notices"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(keys_to_digests, migrations.RunPython.noop, elidable=True)]
