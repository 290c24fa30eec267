"""Count-aware wording, so user-facing messages say "1 case" and "3 cases" rather than "case(s)"."""


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """Return the count followed by the singular or plural noun: "1 case", "3 cases", "2 queries"."""
    return f"{count} {singular if count == 1 else (plural if plural is not None else singular + 's')}"
