"""Server memory under unauthenticated oversized POSTs (issue 9, item 1): RSS of `kempelen serve` before and
after one 300 MB POST to the requester API, and after four concurrent 150 MB POSTs (a fresh server each).

    .venv/bin/python -m bench.body_limit [--sizes-mb 300] [--concurrent 4x150]

Prints RSS (VmRSS) and peak RSS (VmHWM) in MB and the answers the senders got. Run it against any checkout
(PYTHONPATH) to compare: the figures in the closing note of issue 9 come from main before the limit and
from the harden branch.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CHUNK = b"x" * (1024 * 1024)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory(pid: int) -> tuple[float, float]:
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _post(port: int, megabytes: int, outcome: list) -> None:
    """A raw POST / with a declared Content-Length, the body streamed 1 MB at a time, no credentials."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    head = (f"POST / HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/x-amz-json-1.1\r\n"
            f"x-amz-target: MTurkRequesterServiceV20170117.GetAccountBalance\r\n"
            f"content-length: {megabytes * len(CHUNK)}\r\n\r\n").encode()
    sent = 0
    try:
        sock.sendall(head)
        for _ in range(megabytes):
            sock.sendall(CHUNK)
            sent += 1
        answer = sock.recv(200).split(b"\r\n", 1)[0].decode()
    except OSError as exc:
        try:
            answer = sock.recv(200).split(b"\r\n", 1)[0].decode() or type(exc).__name__
        except OSError:
            answer = type(exc).__name__
    finally:
        sock.close()
    outcome.append(f"{answer} after {sent} MB sent")


def measure(label: str, posts: list[int]) -> dict:
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([sys.executable, "-m", "kempelen.cli", "serve", "--port", str(port),
                                   "--data-dir", data, "--log-level", "warning"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_kempelen/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            before = _memory(server.pid)
            outcome: list[str] = []
            threads = [threading.Thread(target=_post, args=(port, size, outcome)) for size in posts]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - started
            time.sleep(0.5)
            after = _memory(server.pid)
        finally:
            server.terminate()
            server.wait()
    result = {"case": label, "rss_before_mb": round(before[0]), "rss_after_mb": round(after[0]),
              "peak_rss_mb": round(after[1]), "seconds": round(seconds, 2), "answers": outcome}
    print(f"{label:>14}: RSS {result['rss_before_mb']} MB -> {result['rss_after_mb']} MB "
          f"(peak {result['peak_rss_mb']} MB) in {result['seconds']} s; {'; '.join(outcome)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, default=300)
    parser.add_argument("--concurrent", default="4x150", help="COUNTxMB")
    args = parser.parse_args()
    count, size = (int(part) for part in args.concurrent.split("x"))
    print(f"python {' '.join(sys.argv)}")
    measure(f"1 x {args.sizes_mb} MB", [args.sizes_mb])
    measure(f"{count} x {size} MB", [size] * count)


if __name__ == "__main__":
    main()
