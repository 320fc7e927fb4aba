"""One HTTP request to a server on loopback, with exactly the headers given."""

import http.client
from dataclasses import dataclass
from email.message import Message


@dataclass
class Response:
    status: int
    headers: Message  # case-insensitive; .get(name, default)
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def get(port: int, path: str, *, cookie: str = "", gzip: bool = False) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return Response(answer.status, answer.msg, answer.read())
    finally:
        connection.close()
