"""Who may be enrolled: age in full years (周岁) on the enrollment date, and the member's relationship
to the enroller.

The age goes up on the birthday; someone born on 29 February has their birthday on 1 March in years
that are not leap years. The date to count to is always a parameter: callers decide what "today" is.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.core.plan.config import PlanConfig, load_plan

AgeReason = Literal["too_young", "too_old"]


def birthday_in(year: int, birth_date: date) -> date:
    """The birthday in `year` of someone born on `birth_date` (29 February → 1 March in non-leap years)."""
    if (birth_date.month, birth_date.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def age_on(birth_date: date, on: date) -> int:
    """Age in full years (周岁) on the date `on`."""
    if on < birth_date:
        raise ValueError(f"{on} is before the birth date {birth_date}")
    years = on.year - birth_date.year
    return years if on >= birthday_in(on.year, birth_date) else years - 1


@dataclass(frozen=True)
class AgeCheck:
    age: int
    reason: AgeReason | None
    """Why the age is outside the plan's window; None when it is inside."""

    @property
    def eligible(self) -> bool:
        return self.reason is None


def check_age(birth_date: date, on: date, *, plan: PlanConfig | None = None) -> AgeCheck:
    """Whether someone born on `birth_date` is of an eligible age on the enrollment date `on`."""
    ages = (plan or load_plan()).age
    age = age_on(birth_date, on)
    if age < ages.min:
        return AgeCheck(age, "too_young")
    if age > ages.max:
        return AgeCheck(age, "too_old")
    return AgeCheck(age, None)


def is_allowed_relationship(relationship: str, *, plan: PlanConfig | None = None) -> bool:
    """Whether the plan lets an enroller enroll a member related to them this way ('self', 'father', ...)."""
    return relationship in (plan or load_plan()).relationships
