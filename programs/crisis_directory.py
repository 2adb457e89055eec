"""The shipped directory of national crisis and emergency lines (fixtures/crisis_lines.json).

Read and checked once per process. Every line names where its number was taken from
(`source`) and when it was last checked there (`checked_on`), so stale lines can be found
(`manage.py crisis_lines_stale`). A line has a number to dial, or, for text-only services
such as Ireland's Text 50808, a text option instead. "XX" is the fallback country.
"""

import datetime
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "crisis_lines.json"
FALLBACK = "XX"


@dataclass(frozen=True)
class Line:
    country: str
    name: str
    number: str
    hours: str
    text: str
    url: str
    description: str
    source: str
    checked_on: datetime.date

    def as_help_resource(self) -> dict:
        """The fields of a HelpResource (a crisis line) made from this line."""
        return {
            "name": self.name,
            "kind": "crisis",
            "phone": self.number,
            "hours": self.hours,
            "text": self.text,
            "url": self.url,
            "description": self.description,
            "source": self.source,
            "checked_on": self.checked_on,
        }


@dataclass(frozen=True)
class Directory:
    version: str
    names: dict[str, str]
    lines: dict[str, tuple[Line, ...]]

    def codes(self) -> list[str]:
        return list(self.lines)

    def lines_for(self, code: str) -> tuple[Line, ...]:
        code = (code or "").strip().upper()
        if code not in self.lines:
            raise ValidationError(
                {
                    "country": _("Unknown country '%(c)s'; choose one of: %(all)s.")
                    % {"c": code, "all": ", ".join(self.codes())}
                }
            )
        return self.lines[code]

    def all_lines(self) -> list[Line]:
        return [line for lines in self.lines.values() for line in lines]


def _path() -> Path:
    return Path(getattr(settings, "CRISIS_LINES_FILE", None) or DEFAULT_PATH)


def parse(data: dict, *, origin: str = "crisis lines") -> Directory:
    """A checked Directory from the file's contents; ImproperlyConfigured says what is wrong."""
    problems: list[str] = []
    version = str(data.get("version") or "")
    if not version:
        problems.append("no top-level 'version'")
    countries = data.get("countries") or {}
    if FALLBACK not in countries:
        problems.append(f"no fallback country '{FALLBACK}'")
    names: dict[str, str] = {}
    lines: dict[str, tuple[Line, ...]] = {}
    for code, country in countries.items():
        if len(code) != 2 or not code.isalpha() or not code.isupper():
            problems.append(f"'{code}' is not an ISO 3166 alpha-2 code")
            continue
        names[code] = str(country.get("name") or code)
        parsed = []
        for i, raw in enumerate(country.get("lines") or []):
            where = f"{code} line {i + 1}"
            if not raw.get("name"):
                problems.append(f"{where}: no name")
            if not raw.get("number") and not raw.get("text"):
                problems.append(f"{where}: no number (or text option)")
            if not str(raw.get("source") or "").startswith("https://"):
                problems.append(f"{where}: no https source")
            try:
                checked = datetime.date.fromisoformat(str(raw.get("checked_on") or ""))
            except ValueError:
                problems.append(f"{where}: checked_on is not an ISO date")
                continue
            parsed.append(
                Line(
                    country=code,
                    name=str(raw.get("name") or ""),
                    number=str(raw.get("number") or ""),
                    hours=str(raw.get("hours") or ""),
                    text=str(raw.get("text") or ""),
                    url=str(raw.get("url") or ""),
                    description=str(raw.get("description") or ""),
                    source=str(raw.get("source") or ""),
                    checked_on=checked,
                )
            )
        if not parsed:
            problems.append(f"{code}: no lines")
        lines[code] = tuple(parsed)
    if problems:
        raise ImproperlyConfigured(f"{origin}: " + "; ".join(problems))
    return Directory(version=version, names=names, lines=lines)


@lru_cache(maxsize=4)
def _load(path: str) -> Directory:
    with open(path, encoding="utf-8") as handle:
        return parse(json.load(handle), origin=path)


def load() -> Directory:
    """The directory, read and checked once."""
    return _load(str(_path()))


def country_choices() -> list[tuple[str, str]]:
    """Program.country's choices: the shipped directory's countries (always the default file,
    so migrations do not change with a setting)."""
    directory = _load(str(DEFAULT_PATH))
    return [(code, directory.names[code]) for code in directory.codes()]
