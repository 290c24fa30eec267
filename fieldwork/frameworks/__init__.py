"""Inspection frameworks as data: the model, the loader and the catalogue of available files."""

from fieldwork.frameworks.loader import load_framework, parse_framework
from fieldwork.frameworks.model import (
    Answer,
    CaseDetailField,
    Domain,
    Framework,
    KeyQuestion,
    Prompt,
    Sample,
    Standard,
)

__all__ = [
    "Answer",
    "CaseDetailField",
    "Domain",
    "Framework",
    "KeyQuestion",
    "Prompt",
    "Sample",
    "Standard",
    "load_framework",
    "parse_framework",
]
