"""Identity and contact checks: mainland resident ID numbers (居民身份证号码), mobile numbers and names,
and the masks they are shown with.

Every check normalises what people type (full-width characters, spaces, dashes, a lower-case x) and either
returns the clean value or raises `IdentityError` with a machine-readable `field` and `code`; the
conversation layer turns those into words in the user's language. Error messages never contain the value
itself, so they are safe to log. Dates are always parameters: callers decide what "today" is.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Literal

Field = Literal["id_number", "phone", "name"]

IdNumberErrorCode = Literal[
    "empty",
    "characters",                              # anything but digits and a final X
    "withdrawn_15_digit",                      # the old 15-digit number, withdrawn in 2013
    "length",
    "checksum",                                # the check character does not match
    "birth_date",                              # positions 7-14 are not a real date
    "future_birth_date",
    "unsupported_foreign_permanent_resident",  # valid, but the assistant cannot enroll it (first digit 9)
    "unsupported_hk_mo_tw_permit",             # valid, but the assistant cannot enroll it (81/82/83)
]
PhoneErrorCode = Literal["empty", "characters", "format"]
NameErrorCode = Literal["empty", "too_long", "characters"]

UNSUPPORTED_DOCUMENT_CODES = frozenset({
    "unsupported_foreign_permanent_resident",
    "unsupported_hk_mo_tw_permit",
})
"""Codes of valid documents the assistant does not enroll: say so plainly and offer a person."""


class IdentityError(ValueError):
    """What the user typed is not acceptable; `field` and `code` say what and why."""

    def __init__(self, field: Field, code: str, detail: str):
        self.field = field
        self.code = code
        super().__init__(f"{field}: {code}: {detail}")

    @property
    def unsupported_document(self) -> bool:
        """A valid document of a kind the assistant does not enroll (as opposed to an invalid number)."""
        return self.code in UNSUPPORTED_DOCUMENT_CODES


# --- ID numbers ------------------------------------------------------------------------------------------

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""ISO 7064 MOD 11-2 weights of positions 1-17."""
CHECK_CHARACTERS = "10X98765432"
"""The check character for each value of (Σ digit × weight) mod 11."""

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")
_HK_MO_TW_ADDRESS_CODES = ("81", "82", "83")


class Sex(str, Enum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-character mainland ID number and what it says about its holder."""

    number: str
    birth_date: date
    sex: Sex
    region_code: str
    """The six-digit address code (行政区划代码) of the place the number was issued."""

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    def __repr__(self) -> str:  # keeps full numbers out of logs and tracebacks
        return f"IdNumber({self.masked!r}, birth_date={self.birth_date!r}, sex={self.sex.value!r})"


def check_character(first_17_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of the first 17 digits of an ID number."""
    if not re.fullmatch(r"[0-9]{17}", first_17_digits):
        raise ValueError("an ID number's check character needs exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def normalize_id_number(raw: str) -> str:
    """The number without spaces or dashes, full-width characters made half-width, x made X."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def parse_id_number(raw: str, *, today: date) -> IdNumber:
    """Check an 18-character mainland ID number as typed and return what it says; `today` bounds the
    birth date. Raises `IdentityError` (field 'id_number') with one of the `IdNumberErrorCode`s."""
    number = normalize_id_number(raw)
    if not number:
        raise _id_error("empty", "no ID number given")
    if not re.fullmatch(r"[0-9]*X?", number):
        raise _id_error("characters", "only digits and a final X are allowed")
    if len(number) == 15 and number.isdigit():
        raise _id_error("withdrawn_15_digit", "15-digit numbers were withdrawn in 2013")
    if len(number) != 18:
        raise _id_error("length", "an ID number has 18 characters")
    if number[17] != check_character(number[:17]):
        raise _id_error("checksum", "the check character does not match")
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _id_error("birth_date", "positions 7-14 are not a real date") from None
    if birth_date > today:
        raise _id_error("future_birth_date", "the birth date is in the future")
    if number.startswith("9"):
        raise _id_error("unsupported_foreign_permanent_resident",
                        "a foreign permanent resident ID card cannot be enrolled here")
    if number.startswith(_HK_MO_TW_ADDRESS_CODES):
        raise _id_error("unsupported_hk_mo_tw_permit",
                        "a Hong Kong, Macau or Taiwan residence permit cannot be enrolled here")
    return IdNumber(
        number=number,
        birth_date=birth_date,
        sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
        region_code=number[:6],
    )


def mask_id_number(number: str) -> str:
    """The first 6 and last 4 characters with 8 stars between, e.g. 110105********002X."""
    number = normalize_id_number(number)
    if len(number) != 18:
        raise _id_error("length", "an ID number has 18 characters")
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def _id_error(code: IdNumberErrorCode, detail: str) -> IdentityError:
    return IdentityError("id_number", code, detail)


# --- Mobile numbers --------------------------------------------------------------------------------------

_COUNTRY_CODE = re.compile(r"^(?:\+86|0086|86)")
_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(raw: str) -> str:
    """The 11-digit mainland mobile number, without +86/0086/86, spaces or dashes.
    Raises `IdentityError` (field 'phone') with one of the `PhoneErrorCode`s."""
    phone = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if not phone:
        raise IdentityError("phone", "empty", "no mobile number given")
    phone = _COUNTRY_CODE.sub("", phone, count=1)
    if not re.fullmatch(r"[0-9]+", phone):
        raise IdentityError("phone", "characters", "only digits, spaces, dashes and +86 are allowed")
    if not _MAINLAND_MOBILE.fullmatch(phone):
        raise IdentityError("phone", "format", "not an 11-digit mainland mobile number starting 13-19")
    return phone


def mask_phone(phone: str) -> str:
    """The first 3 and last 4 digits with 4 stars between, e.g. 139****5678."""
    phone = normalize_phone(phone)
    return f"{phone[:3]}****{phone[-4:]}"


# --- Names -----------------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 30
MIDDLE_DOT = "·"
_MIDDLE_DOT_VARIANTS = str.maketrans(dict.fromkeys("•‧・∙⋅", MIDDLE_DOT))
_NAME_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "LATIN ")


def validate_name(raw: str) -> str:
    """The name trimmed, with runs of spaces made one and look-alike dots made the middle dot (·).
    1-30 characters of Chinese or Latin letters, middle dots and spaces, with at least one letter.
    Raises `IdentityError` (field 'name') with one of the `NameErrorCode`s."""
    name = " ".join(unicodedata.normalize("NFKC", raw).translate(_MIDDLE_DOT_VARIANTS).split())
    if not name:
        raise IdentityError("name", "empty", "no name given")
    if len(name) > NAME_MAX_LENGTH:
        raise IdentityError("name", "too_long", f"a name has at most {NAME_MAX_LENGTH} characters")
    if not all(char in (" ", MIDDLE_DOT) or _is_name_letter(char) for char in name) \
            or not any(_is_name_letter(char) for char in name):
        raise IdentityError("name", "characters", "only Chinese or Latin letters, · and spaces are allowed")
    return name


def _is_name_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith(_NAME_SCRIPTS)


def mask_name(name: str) -> str:
    """A name as staff lists show it: enough to tell two families apart, not enough to name anyone.
    Chinese: the first and last characters, ＊ between (王＊英, 王＊, 欧＊＊英); Latin: each word's first
    letter, * for the rest (G**** H*****). Each part of a name with a middle dot is masked alike. Masking
    a masked name changes nothing."""
    def part(word: str) -> str:
        if not word:
            return word
        if word[0].isascii():
            return word[0] + "*" * (len(word) - 1)
        if len(word) <= 2:
            return word[0] + "＊" * (len(word) - 1)
        return word[0] + "＊" * (len(word) - 2) + word[-1]

    cleaned = " ".join(unicodedata.normalize("NFKC", name).split())
    return MIDDLE_DOT.join(" ".join(part(word) for word in piece.split(" ")) for piece in cleaned.split(MIDDLE_DOT))
