"""Answers of a typical enrollment, for the enrollment tests."""
from datetime import date

TODAY = date(2026, 11, 28)
MOTHER_ID = "110105196103150029"   # female, born 1961-03-15: 65 on 2026-11-28
FATHER_ID = "110105195807200018"   # male, born 1958-07-20: 68
TOO_YOUNG_ID = "440524196611290025"  # female, born 1966-11-29: 59 on 2026-11-28
TOO_OLD_ID = "11010519491231002X"  # female, born 1949-12-31: 76

SCREENING_KEYS = [f"screening_h{i}" for i in range(1, 7)]


def answers(**overrides):
    """A mother who can join, every consent given, confirmed."""
    base = {
        "relationship": "mother",
        "member_name": "王秀英",
        "id_number": MOTHER_ID,
        "phone": "13912345678",
        "privacy_consent": True,
        "health_consent": True,
        "member_agreement": True,
        **{key: "no" for key in SCREENING_KEYS},
        "truthful_declaration": True,
        "deduction_authorization": True,
        "enrollment_confirmed": True,
    }
    base.update(overrides)
    return base
