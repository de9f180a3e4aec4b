import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceyuan.opendata import levels
from ceyuan.opendata.levels import effective_access

LEVELS = [levels.PUBLIC, levels.RESTRICTED, levels.NON_PUBLIC]
GRADES = [levels.GENERAL, levels.IMPORTANT, levels.CORE]


@pytest.mark.parametrize(
    ("level", "grade", "expected"),
    [
        ("public", "general", "public"),
        ("public", "important", "restricted"),
        ("public", "core", "non_public"),
        ("restricted", "general", "restricted"),
        ("restricted", "core", "non_public"),
        ("non_public", "general", "non_public"),
        ("non_public", "important", "non_public"),
    ],
)
def test_the_stricter_of_level_and_grade_wins(level: str, grade: str, expected: str) -> None:
    assert effective_access(level, grade) == expected


@given(st.sampled_from(LEVELS), st.sampled_from(GRADES))
def test_effective_access_is_never_looser_than_the_opening_level(level: str, grade: str) -> None:
    result = effective_access(level, grade)
    assert not levels.is_stricter(level, result)
    assert result in LEVELS


def test_unknown_values_are_refused() -> None:
    with pytest.raises(ValueError, match="opening level"):
        effective_access("open", "general")
    with pytest.raises(ValueError, match="security grade"):
        effective_access("public", "secret")
