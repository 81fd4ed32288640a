"""URL converters shared by every app's urls."""


class RecordId:
    """A positive id that fits a 64-bit integer column (at most 18 digits), so
    no request can overflow the database driver."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
