#!/usr/bin/python3
"""ci/lib/httpd.py: the test HTTP server (loopback only), standing in for an operator's
provisioning server.

    httpd.py DIR [--record FILE] [--posts DIR] [--port N] [--tls CERT KEY]

Serves DIR (GET, HEAD) on 127.0.0.1 at a free port and prints
"Serving HTTP on 127.0.0.1 port N" first. Every request is appended to FILE as one JSON
object (method, path, headers), so that tests can check what the installer sent
(X-Xenhost-MAC-0, ...). A POST's body is stored as DIR/posts/NNN.json (or in --posts),
so that tests can read the install reports. --tls serves HTTPS ("Serving HTTPS on ...").
"""
import argparse
import functools
import http.server
import json
import ssl
import os
import sys
import threading

lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    def record(self):
        if not ARGS.record:
            return
        with lock, open(ARGS.record, "a", encoding="utf-8") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": dict(self.headers.items())}) + "\n")

    def do_GET(self):
        self.record()
        super().do_GET()

    def do_HEAD(self):
        self.record()
        super().do_HEAD()

    def do_POST(self):
        self.record()
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with lock:
            os.makedirs(ARGS.posts, exist_ok=True)
            k = len(os.listdir(ARGS.posts)) + 1
            with open(os.path.join(ARGS.posts, "%03d.json" % k), "wb") as f:
                f.write(body)
        self.send_response(204)
        self.end_headers()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--record")
    p.add_argument("--posts")
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate")
    ARGS = p.parse_args()
    ARGS.posts = ARGS.posts or os.path.join(ARGS.dir, "posts")
    handler = functools.partial(Handler, directory=os.path.abspath(ARGS.dir))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", ARGS.port), handler)
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("Serving HTTP%s on 127.0.0.1 port %d" % ("S" if ARGS.tls else "", srv.server_address[1]), flush=True)
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
