"""Issue 16 audit: a user's synonym table is checked and matched case-insensitively."""

import pytest

from lucidnet.data.text import random_insertion, synonym_replacement


@pytest.mark.parametrize("fn", [synonym_replacement, random_insertion])
def test_a_string_synonym_is_refused_not_split_into_letters(fn):
    with pytest.raises(TypeError, match=r"synonyms\['good'\] must be a list of strings"):
        fn(["a", "good", "day"], synonyms={"good": "great"}, rng=0)   # used to insert a letter


def test_user_keys_match_whatever_their_case():
    out = synonym_replacement(["a", "Good", "day"], synonyms={"GOOD": ["great"]}, rng=0)
    assert out == ["a", "Great", "day"]             # the key "GOOD" used never to match
    assert "great" in random_insertion(["good"], synonyms={"Good": ["great"]}, rng=0)
