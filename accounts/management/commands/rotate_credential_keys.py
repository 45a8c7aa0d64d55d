"""Re-encrypt every stored credential under the newest CREDENTIAL_ENCRYPTION_KEYS key.

Rotation: put a new key first in CREDENTIAL_ENCRYPTION_KEYS (keep the old ones after it),
restart, run this command, then drop the old keys.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.crypto import rotate_ciphertext
from accounts.models import AuditEvent, PlatformCredential


class Command(BaseCommand):
    help = "Re-encrypt every platform credential under the newest encryption key."

    def handle(self, *args, **options):
        rotated = 0
        try:
            with transaction.atomic():
                for credential in PlatformCredential.objects.select_for_update().iterator():
                    credential.ciphertext = rotate_ciphertext(credential.ciphertext)
                    credential.save(update_fields=["ciphertext"])
                    rotated += 1
                AuditEvent.objects.create(
                    action="credentials.keys_rotated",
                    target_type="PlatformCredential",
                    detail={"rotated": rotated},
                )
        except Exception as exc:  # an undecryptable row aborts the whole rotation
            raise CommandError(
                f"Rotation stopped, nothing changed: {type(exc).__name__}. Is every old key "
                "still listed in CREDENTIAL_ENCRYPTION_KEYS?"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} credential(s)."))
