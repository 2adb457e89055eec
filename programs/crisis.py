"""Crisis wording: the phrases that show the crisis lines at once and flag a request urgent.

The default list is data, grouped by where its wording comes from. It follows the questions
of published suicide-risk screeners, turned into the first person a requester would write:

- the Columbia Suicide Severity Rating Scale (C-SSRS) screener: wishing to be dead or to go
  to sleep and not wake up, thoughts of killing oneself, a method or plan, preparing to end
  one's life;
- the NIMH Ask Suicide-Screening Questions (ASQ): wishing to be dead, family better off
  without you, thoughts of killing yourself, having tried to;
- PHQ-9 item 9: better off dead, hurting yourself in some way;
- the warning signs 988 and Samaritans list: talking about wanting to die, no reason to
  live, being a burden, not being able to go on.

Text and phrases go through the same normalisation: case, curly and straight apostrophes
(dropped, so "don't", "don’t" and "dont" are one word), spacing and punctuation, a few
spelled-out forms ("do not", "cannot", "any more"), filler words ("just", "really"), and
simple inflections ("killing", "killed" and "kills" all match "kill"). A phrase matches
whole words only. A phrase that ends in " |" must end a clause, so "I can't go on." is a
match but "I can't go on holiday" is not.

Everyday figures of speech ("this deadline is killing me", "I'm dying to see it") are not in
the list, so they do not flag a request on their own. A program may add its own phrases
(Program.crisis_phrases), including such figures of speech if it chooses.
"""

import re
from functools import lru_cache

CLAUSE_END = "|"

C_SSRS = (
    # 1. Wish to be dead; go to sleep and not wake up.
    "wish i was dead",
    "wish i were dead",
    "wish i could die",
    "want to be dead",
    "go to sleep and not wake up",
    "go to sleep and never wake up",
    "fall asleep and not wake up",
    "fall asleep and never wake up",
    "not wake up again",
    # 2. Thoughts of killing oneself.
    "kill myself",
    "thoughts of killing myself",
    "thinking about killing myself",
    # 3-5. Method, intent, plan.
    "how to kill myself",
    "a plan to kill myself",
    "plan to end my life",
    "planned my suicide",
    # 6. Preparing to end one's life.
    "end my life",
    "end my own life",
    "take my own life",
    "take my life",
    "written a suicide note",
    "suicide note",
    "said my goodbyes",
    "give away my things",
)

ASQ = (
    "want to die",
    "better off dead",
    "better off without me",
    "better off if i was dead",
    "better off if i were dead",
    "better off if i wasnt here",
    "better off if i werent here",
    "tried to kill myself",
    "attempted suicide",
    "suicide attempt",
    "thoughts of suicide",
    "suicide",
    "suicidal",
)

PHQ9 = (
    "hurt myself",
    "harm myself",
    "self harm",
    "cut myself",
    "overdose",
    "take all my pills",
    "take all my tablets",
    "hang myself",
    "jump off a bridge",
    "jump in front of a train",
    "step in front of a train",
    "drive into a tree",
)

WARNING_SIGNS = (
    "end it all",
    "thinking about ending it",
    "thought about ending it",
    "want to end it",
    "going to end it",
    "end things for good",
    "cant go on |",
    "cant go on like this",
    "cant go on anymore",
    "cant keep going |",
    "cant do this anymore",
    "dont want to be here anymore",
    "dont want to be here |",
    "dont want to be alive",
    "dont want to exist",
    "dont want to live",
    "no longer want to live",
    "no point living",
    "no point in living",
    "no point to living",
    "no point being alive",
    "no point going on",
    "no point in going on",
    "whats the point of living",
    "no reason to live",
    "nothing to live for",
    "not worth living",
    "a burden to everyone",
    "a burden on everyone",
    "disappear forever",
    "wish i could disappear",
    "dont want to wake up |",
    "dont want to wake up anymore",
    "hope i dont wake up",
    "unalive myself",
    "im not safe",
    "i dont feel safe",
    "not safe right now",
    "not safe at home",
)

DEFAULT_PHRASES: tuple[str, ...] = C_SSRS + ASQ + PHQ9 + WARNING_SIGNS

# Written-out and run-together forms, turned into one spelling before anything is compared.
_SPELLINGS = (
    (r"\bdo not\b", "dont"),
    (r"\bdoes not\b", "doesnt"),
    (r"\bcan ?not\b", "cant"),
    (r"\bcould not\b", "couldnt"),
    (r"\bwill not\b", "wont"),
    (r"\bwould not\b", "wouldnt"),
    (r"\bi am\b", "im"),
    (r"\bany more\b", "anymore"),
    (r"\bmy self\b", "myself"),
    (r"\bwanna\b", "want to"),
    (r"\bgonna\b", "going to"),
    (r"\bwhat is\b", "whats"),
)
# All the spellings in one pass (no replacement makes another's pattern, so one pass reads
# as the twelve in turn would).
_SPELLING = re.compile("|".join(f"(?:{pattern})" for pattern, _word in _SPELLINGS))
_SPELLING_PATTERNS = tuple(re.compile(pattern) for pattern, _word in _SPELLINGS)


def _spelled(match: re.Match) -> str:
    found = match.group(0)
    for pattern, (_source, word) in zip(_SPELLING_PATTERNS, _SPELLINGS, strict=True):
        if pattern.fullmatch(found):
            return word
    return found


_FILLERS = frozenset(
    [
        "just",
        "really",
        "so",
        "honestly",
        "actually",
        "literally",
        "seriously",
        "simply",
        "sometimes",
        "often",
        "always",
        "even",
        "still",
        "probably",
        "maybe",
    ]
)
# Forms the suffix rules below cannot reach.
_IRREGULAR = {
    "dying": "die",
    "died": "die",
    "dies": "die",
    "thought": "think",
    "thoughts": "think",
    "tried": "try",
    "tries": "try",
    "took": "take",
    "taken": "take",
    "hung": "hang",
    "going": "go",
    "goes": "go",
    "went": "go",
    "wish": "wish",
    "wishes": "wish",
}
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
# A single line break is often just wrapping; a blank line ends a clause.
_CLAUSE = re.compile(r"[.!?;:\u2026]+|,|\n\s*\n|\s[-\u2013\u2014]\s")
_NOT_WORD = re.compile(r"[^a-z0-9|]+")


def _stem(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    n = len(word)
    if n > 4 and word[-3:] == "ing":
        word = word[:-3]
    elif n > 3 and word[-3:] == "ied":
        word = word[:-3] + "y"
    elif n > 3 and word[-2:] in ("ed", "es"):
        word = word[:-2]
    elif n > 3 and word[-1] == "s" and word[-2] != "s":
        word = word[:-1]
    n = len(word)
    if n > 2 and word[-1] == "e":
        word = word[:-1]
        n -= 1
    if n > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        word = word[:-1]
    return word


def normalise(text: str) -> str:
    """Words in one spelling, stemmed, with "|" where a clause ends; padded with spaces."""
    text = _APOSTROPHES.sub("", (text or "").lower())
    text = _CLAUSE.sub(f" {CLAUSE_END} ", text)
    text = _NOT_WORD.sub(" ", text)
    text = " ".join(text.split())
    text = _SPELLING.sub(_spelled, text)
    words: list[str] = []
    for word in text.split():
        if word == CLAUSE_END:
            if words and words[-1] != CLAUSE_END:
                words.append(word)
        elif word not in _FILLERS:
            words.append(_stem(word))
    return f" {CLAUSE_END} {' '.join(words)} {CLAUSE_END} "


@lru_cache(maxsize=1024)
def _compiled(phrase: str) -> str:
    """The phrase as it must appear in normalised text; a closing "|" means "clause ends"."""
    words = [w for w in normalise(phrase).split() if w != CLAUSE_END]
    if phrase.rstrip().endswith(CLAUSE_END):
        words.append(CLAUSE_END)
    return f" {' '.join(words)} " if words else ""


def phrases_from_text(text: str) -> list[str]:
    """A program's own phrases: one a line, blank lines ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@lru_cache(maxsize=256)
def _all_compiled(extra_phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        compiled for compiled in map(_compiled, (*DEFAULT_PHRASES, *extra_phrases)) if compiled
    )


def matches(text: str, extra_phrases=()) -> bool:
    """True if the text holds a default crisis phrase or one of the extra phrases."""
    return any(map(normalise(text).__contains__, _all_compiled(tuple(extra_phrases))))
