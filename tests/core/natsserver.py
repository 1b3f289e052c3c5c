"""natsserver.py: a real nats-server with JetStream for the tests, on 127.0.0.1.

Debian's nats-server (installed by scripts/install-deps) runs with its store in a temporary
folder; stop() and start() keep the store and the port, as a restarted server would."""
import os
import shutil
import socket
import subprocess
import time

NATS_TOOL = os.environ.get("NATS_TOOL", "build/tests/nats_tool")


def available():
    return shutil.which("nats-server") is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsServer:
    def __init__(self, folder, max_payload=None):
        self.store = os.path.join(folder, "nats-store")
        self.log = os.path.join(folder, "nats.log")
        self.conf = None
        if max_payload:  # the largest message the server takes (its INFO's max_payload)
            self.conf = os.path.join(folder, "nats.conf")
            with open(self.conf, "w") as f:
                f.write("max_payload: %d\n" % max_payload)
        self.port = free_port()
        self.url = "nats://127.0.0.1:%d" % self.port
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port),
                                      "-sd", self.store, "-l", self.log,
                                      *(["-c", self.conf] if self.conf else [])])
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nats-server did not start; see " + self.log)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def tool(self, *args):
        result = subprocess.run([NATS_TOOL, self.url, *args], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError("nats_tool %s: %s" % (" ".join(args), result.stderr))
        return result.stdout

    def create_stream(self, name, subject, max_msg_size=None):
        self.tool("create-stream", name, subject, *([str(max_msg_size)] if max_msg_size else []))

    def messages(self, stream):
        """[(seq, msg_id, subject, topics)] of every message stored."""
        return [m[:4] for m in self.messages_with_headers(stream)]

    def messages_with_headers(self, stream):
        """[(seq, msg_id, subject, topics, content_type, schema_version, story)], "-" for a
        header that is absent."""
        out = []
        for line in self.tool("dump", stream).splitlines():
            seq, *rest = line.split(" ")
            out.append((int(seq), *rest))
        return out
