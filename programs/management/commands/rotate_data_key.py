"""Re-encrypt every encrypted value under the newest key in TOOLKIT_DATA_KEY.

Rotation: put a new key first in TOOLKIT_DATA_KEY (new,old) and restart, so new data is
written under it while old data stays readable; run this command; then remove the old
key. Receipt codes are hashed with SECRET_KEY, not the data key, so they keep working.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import CommandError
from django.db import connection, transaction

from privacy import crypto

from ...models import AuditEntry, Program
from ...services.audit import audit_record
from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Re-encrypt stored text under the newest TOOLKIT_DATA_KEY, so old keys can go."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count values still under an older key; change nothing.",
        )

    def handle(self, *args, check=False, **options):
        quote = connection.ops.quote_name
        rotated = stale = 0
        for model, field in crypto.encrypted_fields():
            table, column = quote(model._meta.db_table), quote(field.column)
            pk = quote(model._meta.pk.column)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
                )
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    if crypto.under_newest_key(token):
                        continue
                    stale += 1
                    if check:
                        continue
                    try:
                        fresh = crypto.rotate(token)
                    except InvalidToken:
                        raise CommandError(
                            f"A value in {model._meta.db_table}.{field.column} cannot be "
                            "decrypted with any key in TOOLKIT_DATA_KEY. Add back the key it "
                            "was written with, then run this again. Nothing was changed there."
                        ) from None
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [fresh, row_pk],
                    )
                    rotated += 1
        if check:
            if stale:
                self.stdout.write(
                    f"{stale} values are still under an older key. "
                    "Run rotate_data_key before removing it."
                )
            else:
                self.stdout.write("Every value is under the newest key; older keys can go.")
            return
        # The key is the site's, so every program's trail records the rotation.
        for program in Program.objects.all():
            audit_record(
                program=program,
                actor=None,
                action=AuditEntry.Action.KEY_ROTATION,
                target="TOOLKIT_DATA_KEY",
                data={"values": rotated},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {rotated} values. Every value is now under the newest key: "
                "you can remove the older keys from TOOLKIT_DATA_KEY."
            )
        )
