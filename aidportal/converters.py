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
