"""Text message backends for tests: one that keeps what it is given, one that refuses everything."""


class RecordingBackend:
    sent: list = []

    def send_messages(self, messages):
        RecordingBackend.sent.extend(messages)
        return len(messages)


class RefusingBackend:
    def send_messages(self, messages):
        raise RuntimeError("the provider refused the number")
