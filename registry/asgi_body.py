"""Reading an ASGI request body whole, and handing it on to the next app as if unread."""

from __future__ import annotations


async def read_body(receive) -> bytes:
    """The request's body, all of it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes):
    """A ``receive`` callable that yields ``body`` once, then a disconnect."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
