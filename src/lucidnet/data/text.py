"""Text augmentation on token lists: EDA's four operations.

Wei & Zou (2019), "EDA: Easy Data Augmentation": synonym replacement, random insertion,
random swap, random deletion. Every function takes a list of string tokens, returns a new list
(the input is never modified) and draws from ``rng`` (a Generator, a seed, or None for lucidnet's
global generator). ``DEFAULT_SYNONYMS`` is a small built-in table (about 400 common English
words), built from groups of interchangeable words; pass your own dict word -> [synonyms].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ._common import make_rng

__all__ = [
    "DEFAULT_SYNONYMS",
    "TEXT_AUGMENTATIONS",
    "get_text_augmentation",
    "random_deletion",
    "random_insertion",
    "random_swap",
    "synonym_replacement",
]

_GROUPS = """
good fine nice great excellent
bad poor awful terrible
big large huge great enormous
small little tiny minor
fast quick rapid swift speedy
slow sluggish unhurried
happy glad cheerful joyful content
sad unhappy sorrowful gloomy
angry mad furious irate
smart clever intelligent bright
stupid dumb foolish silly
easy simple effortless
hard difficult tough challenging
old aged elderly ancient
new fresh novel recent modern
young youthful juvenile
begin start commence initiate
end finish conclude complete stop
make create build produce construct
help aid assist support
show display reveal exhibit present
tell inform notify
say state declare mention remark
ask inquire question query
answer reply respond
get obtain acquire gain receive
give provide offer supply grant
use employ utilize apply
buy purchase acquire
sell vend market
keep retain hold preserve
choose select pick elect
try attempt endeavor
need require want
like enjoy love appreciate
hate detest despise loathe
think believe consider suppose
know understand realize recognize
see notice observe view spot
look glance gaze peer
walk stroll march stride
run sprint dash race jog
jump leap hop spring
talk speak chat converse
shout yell scream cry
eat consume devour dine
drink sip gulp swallow
sleep rest doze nap slumber
work labor toil
play frolic romp
throw toss hurl fling
break smash shatter crack
fix repair mend restore
move shift transfer
change alter modify adjust vary
grow increase expand rise
shrink decrease reduce diminish decline
find discover locate uncover
lose misplace forfeit
win triumph prevail succeed
fail flop falter
leave depart exit go
come arrive approach
take grab seize catch
hide conceal cover mask
destroy ruin wreck demolish
allow permit let enable
stop halt cease quit
rich wealthy affluent prosperous
poor needy impoverished broke
beautiful pretty lovely gorgeous attractive
ugly unattractive hideous
clean spotless tidy neat
dirty filthy grimy messy
strong powerful mighty sturdy
weak feeble frail fragile
brave courageous bold fearless valiant
afraid scared frightened fearful
calm peaceful quiet serene tranquil
loud noisy deafening
important significant crucial vital essential
strange odd weird unusual peculiar
normal ordinary usual regular typical common
funny amusing humorous comical
boring dull tedious monotonous
interesting fascinating intriguing engaging
true correct right accurate
false wrong incorrect mistaken
whole entire complete full total
part piece portion section segment
kind type sort variety
idea notion thought concept
problem issue difficulty trouble
answer solution result
house home dwelling residence
car automobile vehicle
road street path way route
child kid youngster
man guy gentleman fellow
woman lady female
friend pal companion buddy
job work occupation profession career
money cash funds currency
fast rapid
often frequently regularly
sometimes occasionally periodically
always constantly forever
never not
quickly rapidly swiftly speedily
slowly gradually leisurely
very extremely really highly quite
almost nearly practically
maybe perhaps possibly
also too additionally
but however yet
because since as
about around approximately roughly
enough sufficient adequate ample
many numerous several various
few some
great terrific wonderful fantastic superb
delicious tasty flavorful
cold chilly cool frosty
hot warm heated
wet damp moist soaked
dry arid parched
dark dim gloomy shadowy
light bright radiant
quiet silent hushed
empty vacant hollow bare
movie film picture
story tale narrative account
book novel volume
shop store market
talkative chatty
sure certain confident positive
tired exhausted weary fatigued
sick ill unwell ailing
hurt injure wound harm
cheap inexpensive affordable
expensive costly pricey
""".strip().splitlines()


def _build_table(groups: Sequence[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in groups:
        words = line.split()
        for w in words:
            for other in words:
                if other != w and other not in table.setdefault(w, []):
                    table[w].append(other)
    return table


DEFAULT_SYNONYMS: dict[str, list[str]] = _build_table(_GROUPS)


def _check_tokens(tokens, name: str) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError(f"{name} expects a list of tokens, got a string; use text.split()")
    tokens = list(tokens)
    if not all(isinstance(t, str) for t in tokens):
        raise TypeError(f"{name} expects string tokens")
    return tokens


def _check_n(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{name}: n must be an integer >= 0, got {n!r}")
    return int(n)


def _check_synonyms(synonyms, name: str) -> Mapping[str, Sequence[str]]:
    """The default table, or a user's ``{word: [synonyms]}`` with lower-cased keys (tokens are
    looked up lower-cased); a string value would be read as a list of characters."""
    if synonyms is None:
        return DEFAULT_SYNONYMS
    if not isinstance(synonyms, Mapping):
        raise TypeError(f"{name}: synonyms must be a mapping {{word: [synonyms]}}, got "
                        f"{type(synonyms).__name__}")
    table = {}
    for word, options in synonyms.items():
        if isinstance(options, str) or not all(isinstance(o, str) for o in options):
            raise TypeError(f"{name}: synonyms[{word!r}] must be a list of strings, got "
                            f"{options!r}; write {{{word!r}: [{options!r}]}} for one synonym")
        table[str(word).lower()] = tuple(options)
    return table


def _synonyms_of(token: str, synonyms: Mapping[str, Sequence[str]]) -> Sequence[str]:
    return synonyms.get(token.lower(), ())


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def synonym_replacement(tokens: Sequence[str], n: int = 1,
                        synonyms: Mapping[str, Sequence[str]] | None = None,
                        rng=None) -> list[str]:
    """Replace up to ``n`` distinct tokens that have synonyms by a random synonym (EDA SR).

    ``synonyms`` is a ``{word: [synonyms]}`` table (default ``DEFAULT_SYNONYMS``; lookup is
    case-insensitive and the replacement takes the token's capitalization); ``rng`` a
    Generator, a seed or None. Returns a new list of the same length.

    Examples
    --------
    >>> from lucidnet.data.text import synonym_replacement
    >>> tokens = "the movie was good and the actors were great".split()
    >>> synonym_replacement(tokens, n=2, rng=0)
    ['the', 'film', 'was', 'good', 'and', 'the', 'actors', 'were', 'excellent']
    >>> synonym_replacement(["Good"], synonyms={"good": ["fine"]}, rng=0)
    ['Fine']
    """
    tokens = _check_tokens(tokens, "synonym_replacement")
    n = _check_n(n, "synonym_replacement")
    synonyms = _check_synonyms(synonyms, "synonym_replacement")
    rng = make_rng(rng)
    out = list(tokens)
    candidates = [i for i, t in enumerate(out) if _synonyms_of(t, synonyms)]
    for i in rng.permutation(candidates)[:n] if candidates else []:
        options = _synonyms_of(out[i], synonyms)
        out[i] = _match_case(options[rng.integers(len(options))], out[i])
    return out


def random_insertion(tokens: Sequence[str], n: int = 1,
                     synonyms: Mapping[str, Sequence[str]] | None = None,
                     rng=None) -> list[str]:
    """Insert, ``n`` times, a synonym of a random token at a random position (EDA RI).

    Stops early when no token has a synonym. Arguments as :func:`synonym_replacement`.

    Examples
    --------
    >>> from lucidnet.data.text import random_insertion
    >>> tokens = "the movie was good and the actors were great".split()
    >>> random_insertion(tokens, n=1, rng=0)
    ['the', 'movie', 'was', 'good', 'and', 'the', 'huge', 'actors', 'were', 'great']
    """
    tokens = _check_tokens(tokens, "random_insertion")
    n = _check_n(n, "random_insertion")
    synonyms = _check_synonyms(synonyms, "random_insertion")
    rng = make_rng(rng)
    out = list(tokens)
    for _ in range(n):
        candidates = [t for t in out if _synonyms_of(t, synonyms)]
        if not candidates:
            break
        options = _synonyms_of(candidates[rng.integers(len(candidates))], synonyms)
        out.insert(int(rng.integers(len(out) + 1)), options[rng.integers(len(options))])
    return out


def random_deletion(tokens: Sequence[str], p: float = 0.1, rng=None) -> list[str]:
    """Drop each token independently with probability ``p``; never returns an empty list
    for a non-empty input (one random token is kept) (EDA RD).

    Examples
    --------
    >>> from lucidnet.data.text import random_deletion
    >>> tokens = "the movie was good and the actors were great".split()
    >>> random_deletion(tokens, p=0.3, rng=0)
    ['the', 'and', 'the', 'actors', 'were', 'great']
    >>> random_deletion(["only"], p=1.0, rng=0)
    ['only']
    """
    tokens = _check_tokens(tokens, "random_deletion")
    if not isinstance(p, (int, float, np.floating)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"random_deletion: p must be a probability in [0, 1], got {p!r}")
    rng = make_rng(rng)
    if not tokens:
        return []
    keep = rng.random(len(tokens)) >= p
    if not keep.any():
        return [tokens[int(rng.integers(len(tokens)))]]
    return [t for t, k in zip(tokens, keep) if k]


def random_swap(tokens: Sequence[str], n: int = 1, rng=None) -> list[str]:
    """Swap two random positions, ``n`` times (EDA RS); a list shorter than 2 is returned as is.

    Examples
    --------
    >>> from lucidnet.data.text import random_swap
    >>> tokens = "the movie was good and the actors were great".split()
    >>> random_swap(tokens, n=1, rng=0)
    ['the', 'movie', 'was', 'good', 'and', 'actors', 'the', 'were', 'great']
    """
    tokens = _check_tokens(tokens, "random_swap")
    n = _check_n(n, "random_swap")
    rng = make_rng(rng)
    out = list(tokens)
    if len(out) < 2:
        return out
    for _ in range(n):
        i, j = rng.choice(len(out), size=2, replace=False)
        out[i], out[j] = out[j], out[i]
    return out


TEXT_AUGMENTATIONS: dict[str, Callable[..., list[str]]] = {
    "synonym": synonym_replacement, "insert": random_insertion,
    "delete": random_deletion, "swap": random_swap,
}


def get_text_augmentation(name: str) -> Callable[..., list[str]]:
    """Look up a text augmentation by name (synonym, insert, delete, swap).

    Examples
    --------
    >>> from lucidnet.data.text import get_text_augmentation
    >>> get_text_augmentation("swap").__name__
    'random_swap'
    """
    try:
        return TEXT_AUGMENTATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown text augmentation {name!r}; valid names: "
                         f"{', '.join(TEXT_AUGMENTATIONS)}") from None
