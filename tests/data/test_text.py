import numpy as np
import pytest

from lucidnet.data import (
    DEFAULT_SYNONYMS,
    get_text_augmentation,
    random_deletion,
    random_insertion,
    random_swap,
    synonym_replacement,
)

SENT = ["the", "quick", "dog", "is", "very", "happy", "and", "the", "big", "cat", "looks", "sad"]


def test_default_table_is_symmetric_and_sizeable():
    assert len(DEFAULT_SYNONYMS) >= 300
    for word, syns in DEFAULT_SYNONYMS.items():
        assert word not in syns and syns
        for s in syns:
            assert word in DEFAULT_SYNONYMS[s]


def test_synonym_replacement():
    out = synonym_replacement(SENT, n=2, rng=0)
    assert len(out) == len(SENT) and out != SENT
    changed = [(a, b) for a, b in zip(SENT, out) if a != b]
    assert 1 <= len(changed) <= 2
    for a, b in changed:
        assert b in DEFAULT_SYNONYMS[a]
    assert synonym_replacement(["Happy"], n=1, rng=0)[0][0].isupper()
    custom = synonym_replacement(["x", "y"], n=5, synonyms={"x": ["z"]}, rng=1)
    assert custom == ["z", "y"]
    assert synonym_replacement(["zzz"], n=3, rng=0) == ["zzz"]


def test_random_insertion():
    out = random_insertion(SENT, n=3, rng=0)
    assert len(out) == len(SENT) + 3
    extra = list(out)
    for w in SENT:
        extra.remove(w)
    assert all(any(e in DEFAULT_SYNONYMS.get(w, []) for w in SENT) for e in extra)
    assert random_insertion(["zzz"], n=2, rng=0) == ["zzz"]


def test_random_deletion():
    out = random_deletion(SENT, p=0.5, rng=0)
    assert 0 < len(out) < len(SENT)
    it = iter(SENT)
    assert all(w in it for w in out)  # order kept: a subsequence
    assert len(random_deletion(SENT, p=1.0, rng=0)) == 1
    assert random_deletion(SENT, p=0.0, rng=0) == SENT
    assert random_deletion([], p=0.5, rng=0) == []
    counts = [len(random_deletion(SENT, p=0.25, rng=s)) for s in range(300)]
    assert abs(np.mean(counts) - 0.75 * len(SENT)) < 0.5


def test_random_swap():
    out = random_swap(SENT, n=1, rng=0)
    diff = [i for i, (a, b) in enumerate(zip(SENT, out)) if a != b]
    assert sorted(out) == sorted(SENT) and len(diff) == 2
    assert random_swap(["one"], n=3, rng=0) == ["one"]


def test_seeded_and_input_untouched():
    src = list(SENT)
    for fn in (synonym_replacement, random_insertion, random_swap):
        assert fn(SENT, 2, rng=5) == fn(SENT, 2, rng=5)
    assert random_deletion(SENT, 0.3, rng=5) == random_deletion(SENT, 0.3, rng=5)
    assert SENT == src


def test_errors_and_registry():
    with pytest.raises(TypeError, match="got a string"):
        random_swap("a sentence", 1)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        synonym_replacement(SENT, -1)
    with pytest.raises(ValueError, match="probability"):
        random_deletion(SENT, p=2)
    assert get_text_augmentation("swap") is random_swap
    with pytest.raises(ValueError, match="valid names: synonym, insert, delete, swap"):
        get_text_augmentation("backtranslate")
