"""The one error hierarchy of the core.

Every refusal the user can act on is a FieldworkError with a one-sentence message that says
what is wrong and what to do. The fronts show the message; they never show a traceback.
"""


class FieldworkError(Exception):
    """A refusal with a message a user can act on; `code` is stable for scripts."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class FrameworkError(FieldworkError):
    """A framework file that cannot be used; carries every problem found."""

    code = "invalid-framework"

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        summary = problems[0] if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"{path}: {summary}")


class StoreError(FieldworkError):
    """The local store cannot be opened or written."""

    code = "store"


class StoreLockedError(StoreError):
    code = "store-locked"


class StoreTooNewError(StoreError):
    code = "store-too-new"


class NotFoundError(FieldworkError):
    code = "not-found"


class ValidationError(FieldworkError):
    """A value the framework does not allow (unknown question, answer or case detail)."""

    code = "invalid-value"
