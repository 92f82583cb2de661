"""moto server for the tests and the deploy rehearsal: moto's own server, with
DynamoDB requests taken one at a time.

moto's DynamoDB is not safe across threads: TransactWriteItems copies every table
it touches as a backup and, when it is cancelled, puts the copy back, wiping out
writes that other threads made meanwhile (a committed write can vanish). DynamoDB
itself applies each request atomically, so the ledger's tests need that much of it:
DynamoDB requests are serialised here; every other service stays concurrent, as in
`moto_server`.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def serialise_dynamodb(app):
    """Wraps a WSGI app so that DynamoDB requests (X-Amz-Target DynamoDB_*) run one at a time."""
    lock = threading.Lock()

    def wrapped(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with lock:
                # The whole response is made inside the lock.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        serialise_dynamodb(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
