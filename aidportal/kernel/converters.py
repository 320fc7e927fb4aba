"""Path converters of public URLs: ids and file paths a request may name."""

from django.urls import register_converter


class IdConverter:
    """A database ID: digits that fit a signed 64-bit column.

    ``<int:pk>`` accepts 10**30, which PostgreSQL rejects with an error (500);
    anything longer than 18 digits is simply not a URL of ours (404).
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class FilePathConverter:
    """A plain relative file path the file system can hold: no NUL, no empty,
    ``.`` or ``..`` segment, each segment at most 255 bytes, the whole at most
    1024.

    Longer names make the file system raise ENAMETOOLONG, which
    ``django.views.static.serve`` does not expect (a 500); a path with dot or
    empty segments reads another file than the one it names, which a view
    deciding by the name must not serve. Neither names a file of ours (404).
    """

    regex = ".+"

    def to_python(self, value):
        encoded = value.encode()
        parts = encoded.split(b"/")
        if (
            len(encoded) > 1024
            or b"\x00" in encoded
            or any(len(part) > 255 or part in (b"", b".", b"..") for part in parts)
        ):
            raise ValueError(value[:20])
        return value

    def to_url(self, value):
        return value


register_converter(IdConverter, "id")
register_converter(FilePathConverter, "file_path")
