"""moto server for the tests and the deploy rehearsal: moto's own server, with
DynamoDB requests taken one at a time.

moto's DynamoDB is not safe across threads: TransactWriteItems copies every table
it touches as a backup and, when it is cancelled, puts the copy back, wiping out
writes that other threads made meanwhile (a committed write can vanish). DynamoDB
itself applies each request atomically, so the ledger's tests need that much of it:
DynamoDB requests are serialised here; every other service stays concurrent, as in
`moto_server`.

That backup is also slow: it deep-copies every table the transaction touches, so
a transaction costs time in proportion to the table's size (a load test's ledger
of a few thousand items spends most of its time copying). With requests
serialised, keeping a copy of just the items the transaction names is enough to
put them back when it is cancelled.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT
"""

import argparse
import copy
import signal
import sys
import threading

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
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


class _TableCopies:
    """Stands in for the `copy` module inside moto's DynamoDB backend: while a
    transaction runs, its whole-table backup copies are skipped (the items it
    names are kept instead, see `backup_items_not_tables`)."""

    skip_tables = False

    @classmethod
    def deepcopy(cls, value, memo=None):
        if cls.skip_tables and isinstance(value, dynamodb_models.Table):
            return value
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


def _item_key(table, attrs):
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_attr = table.range_key_attr
    range_value = DynamoType(attrs[range_attr]) if range_attr else None
    return hash_value, range_value


def _put_back(table, hash_value, range_value, item):
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    elif item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


def backup_items_not_tables():
    """TransactWriteItems keeps a copy of each item it names, not of whole tables,
    and puts those items back when the transaction fails. Only correct because
    DynamoDB requests are serialised (`serialise_dynamodb`)."""
    dynamodb_models.copy = _TableCopies
    transact = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            attrs = op.get("Item") or op.get("Key") or {}
            if table is None or table.hash_key_attr not in attrs:
                continue
            if table.range_key_attr and table.range_key_attr not in attrs:
                continue
            hash_value, range_value = _item_key(table, attrs)
            current = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(current)))
        _TableCopies.skip_tables = True
        try:
            return transact(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                _put_back(table, hash_value, range_value, item)
            raise
        finally:
            _TableCopies.skip_tables = False

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    backup_items_not_tables()
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
