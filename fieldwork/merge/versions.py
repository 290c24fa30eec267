"""The ordering rule: which of the versions of one answer (or case detail) the central row holds.

Pure functions, no database. The rule (docs/merge.md, decision 0007):
- Versions by one author are ordered by revision: that author's highest revision wins; a lower
  revision never rolls back. Two different contents at an author's highest revision are a fork.
- Versions by different authors cannot be ordered: if their latest versions differ, that is a
  conflict for the lead; identical content is agreement.
- A lead decision (a resolution, or the lead's own edit in the central database) settles every
  version the lead could see when deciding (arrival id <= its horizon); newer arrivals contend
  with the decision again, except the chosen author's own newer versions, which carry it on.
- Until resolved, the row holds a deterministic choice: the decision's version, else the lead's
  own (local) version, else the latest `updated_at`, ties by author id, then revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ANSWER, DETAIL = "answer", "detail"
LOCAL, BUNDLE = "local", "bundle"


def digest(value: str | None, note: str) -> str:
    """A short, unambiguous fingerprint of a version's content (value and note)."""
    text = "\x00" if value is None else f"{len(value)}:{value}"
    return hashlib.blake2b(f"{text}|{note}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Version:
    """One version of one answer or case detail as received (or made in this store)."""

    id: int  # arrival order in this store; never compared across stores
    kind: str  # "answer" | "detail"
    case_id: str
    key: str  # question id or case-detail field id
    value: str | None
    note: str
    revision: int
    author: str
    updated_at: str
    origin: str  # "bundle" | "local" (made in this store: the lead's edit or resolution)
    bundle_id: str | None

    @property
    def content(self) -> tuple[str | None, str]:
        return (self.value, self.note)


@dataclass(frozen=True)
class Decision:
    """The lead's latest decision on one key: it chose `version_id` having seen ids <= horizon."""

    version_id: int
    horizon: int


@dataclass(frozen=True)
class Outcome:
    """What the central row should hold, and whether the key is in conflict."""

    chosen: Version
    revision: int  # the row's revision: never lower than any version's, so a new edit is newest
    contenders: tuple[Version, ...]  # the versions still standing, best first
    conflicted: bool
    reason: str | None  # "fork" | "parallel" (values differ) | "evidence" (notes only) | None


def heads(versions: Iterable[Version]) -> list[Version]:
    """Each author's versions at that author's highest revision (two or more: a fork)."""
    top: dict[str, int] = {}
    items = list(versions)
    for v in items:
        if v.revision > top.get(v.author, -1):
            top[v.author] = v.revision
    return [v for v in items if v.revision == top[v.author]]


def latest_decision(versions: Sequence[Version], resolutions: Iterable[Decision]) -> Decision | None:
    """The lead's last decision: a resolution, or a local version (the lead's edit), whichever
    saw most; at the same horizon a resolution comes after the edit it was made over."""
    candidates = [(v.id, 0, Decision(v.id, v.id)) for v in versions if v.origin == LOCAL]
    candidates += [(d.horizon, 1, d) for d in resolutions]
    return max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def rank(versions: Iterable[Version], favourite: Version | None = None) -> list[Version]:
    """Best first: the lead's decision, then the lead's own versions, then the latest
    updated_at, ties by author id, higher revision, then content (a total, stable order)."""
    ordered = sorted(versions, key=lambda v: (v.author, -v.revision, v.value is None, v.value or "", v.note))
    ordered.sort(key=lambda v: v.updated_at, reverse=True)  # stable: earlier keys break ties
    ordered.sort(key=lambda v: (v is not favourite, v.origin != LOCAL))
    return ordered


def decide(versions: Sequence[Version], resolutions: Iterable[Decision] = ()) -> Outcome:
    """Apply the ordering rule to every version of one key (at least one)."""
    if not versions:
        raise ValueError("decide() needs at least one version")
    standing = heads(versions)
    decision = latest_decision(versions, list(resolutions))
    chosen_by_lead = None
    if decision is not None:
        # The decision settles what it saw. Its choice stands; if that version's author has sent a
        # newer one since, the newer one carries the decision on (the author improved their own).
        picked = next((v for v in versions if v.id == decision.version_id), None)
        if picked is not None:
            own = [v for v in standing if v.author == picked.author]
            chosen_by_lead = picked if picked in own else next(iter(rank(own)), None)
        standing = [v for v in standing if v.id > decision.horizon or v is chosen_by_lead] or standing
    ordered = rank(standing, chosen_by_lead)
    contents = {v.content for v in ordered}
    conflicted = len(contents) > 1
    reason = None
    if conflicted:
        by_author: dict[tuple[str, int], set] = {}
        for v in ordered:
            by_author.setdefault((v.author, v.revision), set()).add(v.content)
        if any(len(c) > 1 for c in by_author.values()):
            reason = "fork"
        elif len({v.value for v in ordered}) > 1:
            reason = "parallel"
        else:
            reason = "evidence"  # the same judgement, in other words
    return Outcome(
        chosen=ordered[0],
        revision=max(v.revision for v in versions),
        contenders=tuple(ordered),
        conflicted=conflicted,
        reason=reason,
    )
