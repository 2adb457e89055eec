"""Encryption at rest, key rotation, and receipt codes kept only as keyed hashes."""

import hashlib
import io
import re
from collections import Counter
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from privacy import crypto, receipts
from programs import selectors
from programs.models import Case, CaseNote, ContactType, Message
from programs.services import cases, intake
from tests.programs.test_intake_flow import take_on
from tests.programs.test_privacy import dump_database

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw(table: str, column: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL"  # noqa: S608
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def old_key(settings):
    settings.TOOLKIT_DATA_KEY = OLD_KEY
    return settings


@pytest.fixture
def full_case(program, coordinator, supporter):
    """A request with every kind of encrypted text: message, contact, alias, reply, note."""
    submission = intake.case_submit(
        program=program,
        message="Plain words about a hard shift.",
        channel="phone",
        contact_detail="07700 900456",
        alias="Kit",
    )
    case = take_on(submission.case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body="A supporter's answer.")
    cases.note_add(
        case=case,
        actor=supporter,
        contact_date=timezone.localdate(),
        contact_type=ContactType.PHONE,
        text="A private note.",
    )
    return submission


PLAINTEXTS = [
    "Plain words about a hard shift.",
    "07700 900456",
    "Kit",
    "A supporter's answer.",
    "A private note.",
]
ENCRYPTED_COLUMNS = [
    ("programs_message", "body"),
    ("programs_case", "contact_detail"),
    ("programs_case", "alias"),
    ("programs_casenote", "text"),
]


def test_text_is_stored_as_fernet_tokens_and_read_back_as_text(full_case):
    for table, column in ENCRYPTED_COLUMNS:
        values = raw(table, column)
        assert values, (table, column)
        assert all(v.startswith("gAAAAA") for v in values), (table, column)
    dump = dump_database()
    assert [p for p in PLAINTEXTS if p in dump] == []
    case = Case.objects.get()
    assert case.contact_detail == "07700 900456"
    assert case.alias == "Kit"
    assert [m.body for m in case.messages.all()] == PLAINTEXTS[:1] + PLAINTEXTS[3:4]
    assert CaseNote.objects.get().text == "A private note."


def test_every_free_text_field_of_a_case_is_encrypted():
    encrypted = {(m._meta.db_table, f.column) for m, f in crypto.encrypted_fields()}
    assert set(ENCRYPTED_COLUMNS) <= encrypted


def test_empty_text_is_stored_as_null(program):
    intake.case_submit(program=program, message="")
    assert raw("programs_case", "contact_detail") == []
    assert raw("programs_case", "alias") == []
    assert Message.objects.count() == 0


def test_without_the_key_the_stored_text_cannot_be_read(full_case, settings):
    settings.TOOLKIT_DATA_KEY = NEW_KEY
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        Case.objects.get().contact_detail  # noqa: B018


def test_adding_a_new_key_keeps_old_text_readable_and_codes_working(old_key, program):
    submission = intake.case_submit(program=program, message="Written under the old key.")
    old_token = raw("programs_message", "body")[0]
    old_key.TOOLKIT_DATA_KEY = f"{NEW_KEY},{OLD_KEY}"
    assert Message.objects.get().body == "Written under the old key."
    assert intake.case_lookup(receipt_code=submission.receipt_code) is not None
    # New text goes under the new key.
    intake.requester_reply(case=submission.case, body="Written under the new key.")
    new_token = [t for t in raw("programs_message", "body") if t != old_token][0]
    assert Fernet(NEW_KEY).decrypt(new_token.encode()) == b"Written under the new key."


def test_rotate_data_key_moves_everything_to_the_new_key_so_the_old_one_can_go(old_key, full_case):
    before = {c: raw(*c) for c in ENCRYPTED_COLUMNS}
    old_key.TOOLKIT_DATA_KEY = f"{NEW_KEY},{OLD_KEY}"
    out = io.StringIO()
    call_command("rotate_data_key", "--check", stdout=out)
    assert "5 values are still under an older key" in out.getvalue()

    out = io.StringIO()
    call_command("rotate_data_key", stdout=out)
    assert "Re-encrypted 5 values" in out.getvalue()
    out = io.StringIO()
    call_command("rotate_data_key", "--check", stdout=out)
    assert "Every value is under the newest key" in out.getvalue()

    old_key.TOOLKIT_DATA_KEY = NEW_KEY
    for column, tokens in before.items():
        assert set(raw(*column)).isdisjoint(tokens)
    case = intake.case_lookup(receipt_code=full_case.receipt_code)
    assert case is not None
    assert case.contact_detail == "07700 900456"
    assert case.alias == "Kit"
    assert [m.body for m in selectors.requester_conversation(case=case)] == [
        "Plain words about a hard shift.",
        "A supporter's answer.",
    ]
    assert CaseNote.objects.get().text == "A private note."


def test_rotate_data_key_stops_clearly_when_a_key_is_missing(old_key, full_case):
    old_key.TOOLKIT_DATA_KEY = NEW_KEY
    with pytest.raises(CommandError, match="cannot be decrypted with any key"):
        call_command("rotate_data_key", stdout=io.StringIO())


# Receipt codes.

CODE = re.compile(r"^(?:[0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$")


def test_receipt_codes_carry_at_least_128_random_bits_in_groups_of_four():
    assert receipts.ENTROPY_BITS >= 128
    assert len(set(receipts.ALPHABET)) == 32 and not set("ILOU") & set(receipts.ALPHABET)
    assert CODE.match(receipts.generate())


def test_receipt_codes_come_from_the_secrets_module_five_bits_of_each_of_28_bytes():
    drawn = bytes([21] * receipts.LENGTH)  # the symbol 21, "N", in every place
    with mock.patch.object(receipts.secrets, "token_bytes", return_value=drawn) as token_bytes:
        code = receipts.generate()
    token_bytes.assert_called_once_with(28)
    assert code == "-".join(["NNNN"] * 7)
    # Each byte makes one symbol, in order, from its lowest five bits (the high three are
    # dropped): 0b111_00001 is "1", 0b000_11111 is "Z".
    drawn = bytes([0b11100001] + [0b01000000] * 26 + [0b00011111])
    with mock.patch.object(receipts.secrets, "token_bytes", return_value=drawn):
        assert receipts.generate().replace("-", "") == "1" + "0" * 26 + "Z"


def test_every_symbol_comes_from_exactly_eight_byte_values():
    # A uniformly random byte gives each of the 32 symbols with the same chance.
    counts = Counter(receipts._SYMBOL_OF_BYTE)
    assert len(counts) == 32 and set(counts.values()) == {8}


def test_ten_thousand_receipt_codes_do_not_collide():
    codes = {receipts.generate() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_receipt_codes_are_stored_only_as_a_keyed_hash(program, settings):
    submission = intake.case_submit(program=program, message="hello")
    code = submission.receipt_code
    canonical = code.replace("-", "")
    stored = Case.objects.get().receipt_hash
    dump = dump_database()
    assert code not in dump and canonical not in dump
    assert stored in dump
    assert stored != hashlib.sha256(canonical.encode()).hexdigest()  # not a plain hash
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert receipts.digest(code) != stored  # the key matters


def test_receipt_codes_hide_themselves_from_reprs_and_logs():
    code = receipts.generate()
    assert str(code) == code and f"{code}" == code
    assert code not in repr(code) and code not in repr({"receipt_code": code})


def test_typed_codes_forgive_case_spaces_dashes_and_look_alike_letters(program):
    code = intake.case_submit(program=program).receipt_code
    typed = code.lower().replace("-", "  ").replace("0", "o").replace("1", "l")
    assert intake.case_lookup(receipt_code=typed) is not None
    assert receipts.normalise("x" * 500) is None


def test_receipt_codes_survive_a_secret_key_rotation(program, settings):
    old_secret = settings.SECRET_KEY
    code = intake.case_submit(program=program).receipt_code
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-" + "y" * 30
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert intake.case_lookup(receipt_code=code) is not None
    # The hash moved onto the new secret, so the fallback can be dropped.
    settings.SECRET_KEY_FALLBACKS = []
    assert intake.case_lookup(receipt_code=code) is not None
