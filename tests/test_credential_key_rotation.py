"""rotate_credential_keys re-encrypts every row under the newest key."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent, PlatformCredential
from accounts.services import CredentialInput, add_credential, use_credential

pytestmark = pytest.mark.django_db


def test_rotation_moves_every_credential_to_the_new_key(alice, bob, settings, hf_hub, kaggle_fake):
    hf_hub.add_user("alice-hf", token="hf_alice1")
    kaggle_fake.add_user("bob-kg", token="KGAT_bob2")
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.CREDENTIAL_ENCRYPTION_KEYS = [old_key]
    add_credential(user=alice, data=CredentialInput(provider="huggingface", token="hf_alice1"))
    add_credential(user=bob, data=CredentialInput(provider="kaggle", token="KGAT_bob2"))
    settings.CREDENTIAL_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_credential_keys")
    settings.CREDENTIAL_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert use_credential(user=alice, provider="huggingface") == {"token": "hf_alice1"}
    assert use_credential(user=bob, provider="kaggle") == {
        "token": "KGAT_bob2",
        "kaggle_username": "bob-kg",
    }
    assert AuditEvent.objects.get(action="credentials.keys_rotated").detail == {"rotated": 2}


def test_rotation_without_the_old_key_changes_nothing(alice, settings, hf_hub):
    hf_hub.add_user("alice-hf", token="hf_alice1")
    settings.CREDENTIAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    add_credential(user=alice, data=CredentialInput(provider="huggingface", token="hf_alice1"))
    before = PlatformCredential.objects.get().ciphertext
    settings.CREDENTIAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("rotate_credential_keys")
    assert PlatformCredential.objects.get().ciphertext == before
